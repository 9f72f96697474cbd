import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Overview } from '@/features/overview/overview';
import { OVERVIEW_STRIP } from '@/features/overview/overview-queries';
import { fleetQueryOptions } from '@/lib/fleet-query';
import { createServerTRPC } from '@/lib/trpc-server';

function isUnauthorized(error: unknown): boolean {
  return isTRPCClientError(error) && (error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';
}

export const metadata: Metadata = { title: 'Overview' };

/**
 * The overview renders its first data on the server: the operator's first look at the fleet is
 * the page's reason to exist, so it must not wait for hydration and a second round trip. A failed
 * prefetch is not fatal: the query is simply left for the client, which shows its own error state.
 */
export default async function OverviewPage() {
  const { queryClient, trpc } = await createServerTRPC();
  const [, fleetResult] = await Promise.allSettled([
    queryClient.query(trpc.status.get.queryOptions()),
    queryClient.infiniteQuery(fleetQueryOptions(trpc)),
    queryClient.query(trpc.heartbeats.strip.queryOptions(OVERVIEW_STRIP)),
  ]);
  if (fleetResult.status === 'rejected' && isUnauthorized(fleetResult.reason)) redirect('/login?next=%2F');
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <Overview />
    </HydrationBoundary>
  );
}
