import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { and, gte, lte } from 'drizzle-orm';
import { readTopCallers } from './traffic-callers.service.js';
import { addHistogram, emptyHistogram, quantile } from './traffic-histogram.js';
import { TRAFFIC_BUCKET_SECONDS, type ReadTrafficInput, type TrafficCounts, type TrafficOutput } from './traffic.schema.js';

const BUCKET_MS = TRAFFIC_BUCKET_SECONDS * 1000;
const TOP_PROCEDURES = 20;
const COUNT_KEYS = ['requests', 'status2xx', 'status3xx', 'status4xx', 'status5xx', 'status401', 'status403', 'status429'] as const;

interface Sum extends TrafficCounts {
  latency: number[];
}

/**
 * Traffic over the last `minutes`, summed over every instance: a zero-filled series of 10-second
 * buckets for the charts, window totals, and the busiest procedures and callers. The newest bucket is still
 * filling, so its rate reads low until it closes.
 */
export async function readTraffic(deps: { db: Database; now: () => Date }, input: ReadTrafficInput): Promise<TrafficOutput> {
  const now = deps.now().getTime();
  const lastBucket = Math.floor(now / BUCKET_MS) * BUCKET_MS;
  const firstBucket = lastBucket - (Math.ceil((input.minutes * 60_000) / BUCKET_MS) - 1) * BUCKET_MS;
  const t = schema.trafficBuckets;
  const rows = await deps.db
    .select()
    .from(t)
    .where(and(gte(t.bucketStart, new Date(firstBucket)), lte(t.bucketStart, new Date(lastBucket))));

  const byBucket = new Map<number, Sum>();
  const byProcedure = new Map<string, Sum>();
  const totals = newSum();
  const instances = new Set<string>();
  for (const row of rows) {
    instances.add(row.instance);
    const at = row.bucketStart.getTime();
    for (const sum of [totals, getOrAdd(byBucket, at), getOrAdd(byProcedure, row.procedure)]) {
      for (const key of COUNT_KEYS) sum[key] += row[key];
      addHistogram(sum.latency, row.latencyCounts);
    }
  }

  const series: TrafficOutput['series'] = [];
  for (let at = firstBucket; at <= lastBucket; at += BUCKET_MS) {
    const sum = byBucket.get(at) ?? newSum();
    const seconds = at === lastBucket ? Math.max(1, (now - at) / 1000) : TRAFFIC_BUCKET_SECONDS;
    series.push({ at: new Date(at).toISOString(), perSecond: round(sum.requests / seconds), ...present(sum) });
  }
  const procedures = [...byProcedure]
    .sort(([a, x], [b, y]) => y.requests - x.requests || a.localeCompare(b))
    .slice(0, TOP_PROCEDURES)
    .map(([procedure, sum]) => ({ procedure, ...present(sum) }));

  return {
    from: new Date(firstBucket).toISOString(),
    to: new Date(now).toISOString(),
    bucketSeconds: TRAFFIC_BUCKET_SECONDS,
    instances: instances.size,
    totals: present(totals),
    series,
    procedures,
    callers: await readTopCallers(deps.db, new Date(firstBucket), new Date(lastBucket)),
  };
}

function newSum(): Sum {
  return { requests: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0, status401: 0, status403: 0, status429: 0, latency: emptyHistogram() };
}

function getOrAdd<K>(map: Map<K, Sum>, key: K): Sum {
  let sum = map.get(key);
  if (!sum) map.set(key, (sum = newSum()));
  return sum;
}

function present({ latency, ...counts }: Sum) {
  return { ...counts, p50Ms: quantile(latency, 0.5), p95Ms: quantile(latency, 0.95), p99Ms: quantile(latency, 0.99) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
