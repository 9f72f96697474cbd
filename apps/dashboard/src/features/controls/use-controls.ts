'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/lib/trpc';

/** Every runtime control in force (polled like every page). */
export function useControls() {
  const trpc = useTRPC();
  return useQuery(trpc.controls.get.queryOptions());
}

/** Refetches the controls after a change, so the page shows what the server now enforces. */
export function useRefreshControls() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.controls.get.queryKey() });
}
