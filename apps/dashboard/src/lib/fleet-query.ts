import type { AppRouter } from '@bastion/api';
import type { TRPCOptionsProxy } from '@trpc/tanstack-react-query';

/** The API's largest page; the catalogue is read whole for the grid and the dependency graph. */
export const FLEET_PAGE_SIZE = 100;

/**
 * The whole-catalogue query, shared by the client hook and the server prefetch so both use the
 * same query key (a different key would make the prefetched data invisible to the page).
 */
export function fleetQueryOptions(trpc: TRPCOptionsProxy<AppRouter>) {
  return trpc.services.list.infiniteQueryOptions(
    { limit: FLEET_PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
}
