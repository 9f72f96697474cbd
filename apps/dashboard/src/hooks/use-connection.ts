'use client';

import { useQuery } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import { useTRPC } from '@/lib/trpc';

export type ConnectionState = 'connecting' | 'live' | 'unreachable' | 'failing';

/**
 * How fresh the dashboard is, judged by the status summary every page polls: `live` while polls
 * succeed, `unreachable` when the API does not answer at all (server down, proxy error), and
 * `failing` when it answers with an error (e.g. its database is down). Data shown stays the last
 * good data; `updatedAt` says from when.
 */
export function useConnection() {
  const trpc = useTRPC();
  // No retry here: a failed poll must show at once, the next poll is the retry.
  const query = useQuery({ ...trpc.status.get.queryOptions(), retry: false });
  let state: ConnectionState = 'live';
  if (query.isPending) state = 'connecting';
  else if (query.isError) {
    // Typed as always present, but a request that never reached tRPC (network down, proxy
    // error) carries no `data`.
    const data: unknown = isTRPCClientError(query.error) ? query.error.data : undefined;
    state = data ? 'failing' : 'unreachable';
  }
  return {
    state,
    updatedAt: query.dataUpdatedAt > 0 ? query.dataUpdatedAt : null,
    error: query.error,
    refetch: query.refetch,
  };
}
