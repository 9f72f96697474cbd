'use client';

import { useNow } from '@/hooks/use-now';
import { formatDuration, formatDateTime } from '@/lib/time';

/** How long ago `since` was, ticking; the exact local time is in the tooltip. */
export function Age({ since, until, suffix = '' }: { since: string; until?: string | null; suffix?: string }) {
  const now = useNow();
  const end = until ? new Date(until).getTime() : now;
  return (
    <time dateTime={since} title={formatDateTime(since)} suppressHydrationWarning>
      {formatDuration(end - new Date(since).getTime())}
      {suffix}
    </time>
  );
}
