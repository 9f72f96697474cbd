'use client';

import type { Service } from '@bastion/api/services/schema';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { fleetQueryOptions } from '@/lib/fleet-query';
import { useTRPC } from '@/lib/trpc';

/**
 * Every service with its derived status and reasons, following cursors until the last page.
 * Polls like every query; `services` is stable between polls that change nothing.
 */
export function useFleet() {
  const trpc = useTRPC();
  const query = useInfiniteQuery(fleetQueryOptions(trpc));
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const services = useMemo<Service[] | undefined>(() => query.data?.pages.flatMap((p) => p.items), [query.data]);
  const bySlug = useMemo(() => new Map((services ?? []).map((s) => [s.slug, s])), [services]);
  return { ...query, services, bySlug };
}
