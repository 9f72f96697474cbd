import type { StripBucket, StripBucketStatus } from '@bastion/api/heartbeats/schema';
import { cn } from '@/lib/cn';
import { BUCKET_LOOK } from '@/lib/status';
import { formatDuration, formatTime } from '@/lib/time';

/** "24h: 40 up, 2 degraded, 1 down, 5 without data", the strip's text alternative. */
export function describeStrip(buckets: readonly StripBucket[], bucketSeconds: number): string {
  const counts: Record<StripBucketStatus, number> = { up: 0, degraded: 0, down: 0, missing: 0 };
  for (const b of buckets) counts[b.status] += 1;
  const span = formatDuration(buckets.length * bucketSeconds * 1000);
  const parts = [
    counts.up && `${counts.up} up`,
    counts.degraded && `${counts.degraded} degraded`,
    counts.down && `${counts.down} down`,
    counts.missing && `${counts.missing} without data`,
  ].filter(Boolean);
  return `Heartbeats over the last ${span}, in ${formatDuration(bucketSeconds * 1000)} intervals: ${parts.join(', ')}.`;
}

function cellTitle(bucket: StripBucket, bucketSeconds: number): string {
  const start = new Date(bucket.start);
  const end = new Date(start.getTime() + bucketSeconds * 1000);
  const counts = bucket.status === 'missing' ? 'no heartbeat' : `${bucket.up} up, ${bucket.degraded} degraded, ${bucket.down} down`;
  return `${formatTime(start).slice(0, 5)}–${formatTime(end).slice(0, 5)} · ${BUCKET_LOOK[bucket.status].label} (${counts})`;
}

/**
 * One service's heartbeats as a row of intervals, oldest left: the worst heartbeat of each
 * interval, grey where none arrived. Read as one image by screen readers (its label counts the
 * intervals); each cell has a tooltip for the mouse.
 */
export function HeartbeatStrip({
  buckets,
  bucketSeconds,
  className,
}: {
  buckets: readonly StripBucket[];
  bucketSeconds: number;
  className?: string;
}) {
  return (
    <div role="img" aria-label={describeStrip(buckets, bucketSeconds)} className={cn('flex h-6 items-stretch gap-px', className)}>
      {buckets.map((bucket, index) => {
        // The last interval is still running: without data *yet* is not a gap, so draw it hollow.
        const pending = index === buckets.length - 1 && bucket.status === 'missing';
        return (
          <span
            key={bucket.start}
            title={pending ? `${cellTitle(bucket, bucketSeconds)}, interval in progress` : cellTitle(bucket, bucketSeconds)}
            data-bucket={bucket.status}
            className={cn(
              'min-w-0 flex-1 rounded-[2px]',
              pending ? 'border border-dashed border-muted-foreground/50' : BUCKET_LOOK[bucket.status].className,
            )}
          />
        );
      })}
    </div>
  );
}

export function StripLegend({ className }: { className?: string }) {
  return (
    <ul className={cn('flex flex-wrap items-center gap-3 text-xs text-muted-foreground', className)} aria-label="Legend">
      {(Object.keys(BUCKET_LOOK) as StripBucketStatus[]).map((status) => (
        <li key={status} className="flex items-center gap-1.5">
          <span aria-hidden className={cn('inline-block size-2.5 rounded-[2px]', BUCKET_LOOK[status].className)} />
          {BUCKET_LOOK[status].label}
        </li>
      ))}
    </ul>
  );
}
