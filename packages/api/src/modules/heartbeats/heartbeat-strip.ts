import { schema, type Database } from '@bastion/db';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { notFound } from '../../common/errors.js';
import type { HeartbeatStrip, HeartbeatStripInput, StripBucket, StripBucketStatus } from './heartbeats.schema.js';

interface Deps {
  db: Database;
  now: () => Date;
}

interface Counts {
  up: number;
  degraded: number;
  down: number;
}

function worst({ up, degraded, down }: Counts): StripBucketStatus {
  if (down > 0) return 'down';
  if (degraded > 0) return 'degraded';
  if (up > 0) return 'up';
  return 'missing';
}

/**
 * Every service's heartbeats over the last `hours`, summarised into `buckets` equal intervals:
 * counts per status and the worst status seen, `missing` where none arrived. The window ends at
 * now rounded *up* to a bucket boundary (aligned to the epoch), so successive polls see the same
 * buckets and only the last, in-progress one changes. One aggregate query for the whole fleet.
 *
 * @example
 * const strip = await heartbeatStrip(deps, { hours: 24, buckets: 48 }); // 30-minute buckets
 */
export async function heartbeatStrip({ db, now }: Deps, input: HeartbeatStripInput): Promise<HeartbeatStrip> {
  const bucketMs = (input.hours * 3_600_000) / input.buckets;
  const to = new Date(Math.ceil(now().getTime() / bucketMs) * bucketMs);
  const from = new Date(to.getTime() - input.hours * 3_600_000);

  const s = schema.services;
  const services = await db
    .select({ id: s.id, slug: s.slug })
    .from(s)
    .where(input.service === undefined ? undefined : eq(s.slug, input.service))
    .orderBy(s.slug);
  if (input.service !== undefined && services.length === 0) throw notFound(`No service with slug "${input.service}".`);

  const h = schema.heartbeats;
  // Bucket index from the timestamp difference, computed in SQL so only counts cross the wire.
  const bucket = sql<number>`floor(extract(epoch from (${h.observedAt} - ${from.toISOString()}::timestamptz)) * 1000 / ${bucketMs}::numeric)::int`;
  const rows = await db
    .select({
      serviceId: h.serviceId,
      bucket: bucket.mapWith(Number),
      up: sql<number>`count(*) filter (where ${h.status} = 'up')`.mapWith(Number),
      degraded: sql<number>`count(*) filter (where ${h.status} = 'degraded')`.mapWith(Number),
      down: sql<number>`count(*) filter (where ${h.status} = 'down')`.mapWith(Number),
    })
    .from(h)
    .where(
      and(
        input.service === undefined ? undefined : eq(h.serviceId, services[0]?.id ?? ''),
        gte(h.observedAt, from),
        lt(h.observedAt, to),
      ),
    )
    // By position: the bucket expression carries bind parameters, and PostgreSQL does not match
    // `group by <expr>` to the selected expression once their parameter numbers differ.
    .groupBy(sql`1`, sql`2`);

  const counts = new Map<string, Map<number, Counts>>();
  for (const row of rows) {
    let byBucket = counts.get(row.serviceId);
    if (!byBucket) counts.set(row.serviceId, (byBucket = new Map<number, Counts>()));
    byBucket.set(row.bucket, { up: row.up, degraded: row.degraded, down: row.down });
  }

  const empty: Counts = { up: 0, degraded: 0, down: 0 };
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucketSeconds: bucketMs / 1000,
    services: services.map(({ id, slug }) => ({
      slug,
      buckets: Array.from({ length: input.buckets }, (_, index): StripBucket => {
        const c = counts.get(id)?.get(index) ?? empty;
        return { start: new Date(from.getTime() + index * bucketMs).toISOString(), status: worst(c), ...c };
      }),
    })),
  };
}
