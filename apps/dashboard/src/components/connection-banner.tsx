'use client';

import { WifiOff } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { useConnection } from '@/hooks/use-connection';
import { POLL_INTERVAL_MS } from '@/lib/query-client';
import { formatTime } from '@/lib/time';
import { describeQueryError } from './states';

/** A page-wide warning while the API is unreachable: what you see is old, and since when. */
export function ConnectionBanner() {
  const { state, updatedAt, error, refetch } = useConnection();
  if (state !== 'unreachable' && state !== 'failing') return null;
  return (
    <div role="alert" data-testid="connection-banner" className="border-b border-destructive/40 bg-destructive/10">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-3 px-4 py-2.5 text-sm">
        <WifiOff aria-hidden className="size-4 text-destructive" />
        <p>
          <strong className="font-semibold">
            {state === 'unreachable' ? 'Cannot reach the Bastion API.' : `The Bastion API is failing: ${describeQueryError(error)}`}
          </strong>{' '}
          {updatedAt
            ? `Showing data from ${formatTime(updatedAt)}; it may be out of date.`
            : 'No data has loaded yet.'}{' '}
          Retrying every {POLL_INTERVAL_MS / 1000} s.
        </p>
        <Button variant="outline" size="sm" className="ml-auto" onClick={() => void refetch()}>
          Retry now
        </Button>
      </div>
    </div>
  );
}
