'use client';

import type { Scope } from '@bastion/api/scopes';
import { useQuery } from '@tanstack/react-query';
import { hasScopes } from '@/lib/access';
import { useTRPC } from '@/lib/trpc';

/** A role change takes effect on the user's next request; the dashboard notices within a minute. */
const SESSION_REFRESH_MS = 60_000;

/**
 * The signed-in principal (`auth.me`: email, role, scopes), shared by every component through
 * the query cache. `can(scopes)` is false until the principal is known, so nothing that needs a
 * scope flashes on screen for someone without it.
 */
export function useSession() {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.auth.me.queryOptions(),
    staleTime: SESSION_REFRESH_MS / 2,
    refetchInterval: SESSION_REFRESH_MS,
    // A 401 is final (the link sends the browser to sign in); no retry.
    retry: false,
  });
  const principal = query.data ?? null;
  return {
    principal,
    isPending: query.isPending,
    error: query.error,
    refetch: query.refetch,
    can: (scopes: readonly Scope[]) => hasScopes(principal, scopes),
  };
}
