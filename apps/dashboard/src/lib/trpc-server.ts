import type { AppRouter } from '@bastion/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { readEnv } from '@/env';
import { makeQueryClient } from './query-client';

/** How long a server render waits for the API before leaving the data to the browser. */
const SERVER_FETCH_TIMEOUT_MS = 3_000;

/**
 * tRPC for server components: calls apps/server directly (not through the proxy) on behalf of
 * the signed-in browser, by forwarding its cookies. Queries only: mutations need the browser's
 * CSRF header and belong to the client.
 *
 * One query client per request; the page dehydrates it into a `HydrationBoundary` so the first
 * HTML already carries the data and the browser does not wait for a round trip after hydration.
 */
export async function createServerTRPC() {
  const incoming = await headers();
  const cookie = incoming.get('cookie');
  const queryClient = makeQueryClient();
  // A server render must not stall on a slow or absent API: one try, bounded, then the client takes over.
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${readEnv().BASTION_API_URL}/trpc`,
        headers: () => (cookie ? { cookie } : {}),
        fetch: (url, init) => {
          const timeout = AbortSignal.timeout(SERVER_FETCH_TIMEOUT_MS);
          const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
          return fetch(url, { ...init, signal });
        },
      }),
    ],
  });
  return { queryClient, trpc: createTRPCOptionsProxy<AppRouter>({ client, queryClient }) };
}
