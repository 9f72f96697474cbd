import { QueryClient } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';

/**
 * How often every visible query polls. The server pushes nothing, so this bounds how stale a
 * screen can be: a heartbeat an external monitor reports shows within one interval plus a
 * round trip (the product promise is 5 s).
 */
export const POLL_INTERVAL_MS = 2_500;

/** HTTP statuses that mean "the request was wrong", where retrying cannot help. */
function isClientError(error: unknown): boolean {
  if (!isTRPCClientError(error)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500;
}

/** The one QueryClient of a browser session: polls, keeps data on failure, retries once. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // As long as the poll: data the server rendered into the page is not fetched again the
        // moment it hydrates (three requests competing with hydration, measured), and a page
        // visited a moment ago shows its cache without a refetch; the poll keeps both fresh.
        staleTime: POLL_INTERVAL_MS,
        refetchInterval: POLL_INTERVAL_MS,
        // One quick retry: a longer back-off would delay the "unreachable" state by seconds.
        retry: (failures, error) => failures < 1 && !isClientError(error),
        retryDelay: 500,
      },
    },
  });
}
