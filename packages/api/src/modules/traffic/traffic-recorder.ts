import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { TopCallers } from './traffic-callers.js';
import { emptyHistogram, latencySlot } from './traffic-histogram.js';
import { TRAFFIC_BUCKET_SECONDS, type TrafficCounts } from './traffic.schema.js';

interface Tally extends TrafficCounts {
  bucketStart: Date;
  procedure: string;
  latencyCounts: number[];
}

/** How long rows are kept; the page reads at most a day. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS = TRAFFIC_BUCKET_SECONDS * 1000;
/** Cap on buckets held while the database is unreachable, so an outage cannot grow memory unbounded. */
const MAX_PENDING_TALLIES = 20_000;
/** Callers tracked per bucket in memory; anyone with over 0.5 % of a bucket's requests is kept. */
export const TRACKED_CALLERS_PER_BUCKET = 200;
/** Callers written per bucket and instance: the table grows with time, never with the callers. */
export const STORED_CALLERS_PER_BUCKET = 20;
/** Caller buckets held unwritten (an hour of them) while the database is unreachable. */
const MAX_PENDING_CALLER_BUCKETS = 360;

export interface TrafficRecorderOptions {
  db: Database;
  /** Names this server instance in the rows it writes (unique per process). */
  instance: string;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

/**
 * Counts this instance's answered requests per 10-second bucket and procedure in memory — a few
 * increments per request, no I/O — and writes the running totals to `traffic_buckets` on `flush()`
 * (every couple of seconds, from `start()`). Writing totals (not deltas) makes a retried flush
 * harmless; a bucket is forgotten once it is closed and written. Per bucket it also tracks the
 * busiest callers (bounded: see `TopCallers`) and writes the top 20 to `traffic_callers`.
 */
export class TrafficRecorder {
  private readonly tallies = new Map<string, Tally>();
  private readonly dirty = new Set<string>();
  private readonly callers = new Map<number, TopCallers>();
  private readonly dirtyCallers = new Set<number>();
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(private readonly options: TrafficRecorderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Counts one answered request. `caller` says who sent it (`apiKey:<id>`, `user:<id>` or
   * `ip:<address>`) for the Traffic page's top callers; never a credential.
   */
  record(procedure: string, status: number, durationMs: number, caller?: string): void {
    const bucketMs = Math.floor(this.now().getTime() / BUCKET_MS) * BUCKET_MS;
    if (caller !== undefined) this.recordCaller(bucketMs, caller, status);
    const key = `${String(bucketMs)} ${procedure}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      if (this.tallies.size >= MAX_PENDING_TALLIES) return;
      tally = newTally(new Date(bucketMs), procedure);
      this.tallies.set(key, tally);
    }
    tally.requests += 1;
    if (status >= 500) tally.status5xx += 1;
    else if (status >= 400) tally.status4xx += 1;
    else if (status >= 300) tally.status3xx += 1;
    else tally.status2xx += 1;
    if (status === 401) tally.status401 += 1;
    else if (status === 403) tally.status403 += 1;
    else if (status === 429) tally.status429 += 1;
    const slot = latencySlot(durationMs);
    tally.latencyCounts[slot] = (tally.latencyCounts[slot] ?? 0) + 1;
    this.dirty.add(key);
  }

  private recordCaller(bucketMs: number, caller: string, status: number): void {
    let top = this.callers.get(bucketMs);
    if (!top) {
      if (this.callers.size >= MAX_PENDING_CALLER_BUCKETS) return;
      top = new TopCallers(TRACKED_CALLERS_PER_BUCKET);
      this.callers.set(bucketMs, top);
    }
    top.record(caller, status);
    this.dirtyCallers.add(bucketMs);
  }

  /** Writes every changed bucket; concurrent calls share one write. Never throws. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  start(intervalMs = 2_000): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    const wroteCallers = await this.writeCallers();
    const keys = [...this.dirty];
    if (keys.length === 0) {
      if (wroteCallers) this.forgetClosedBuckets();
      return;
    }
    this.dirty.clear();
    const rows = keys.flatMap((key) => {
      const tally = this.tallies.get(key);
      return tally ? [{ ...tally, instance: this.options.instance, latencyCounts: tally.latencyCounts.slice() }] : [];
    });
    const t = schema.trafficBuckets;
    try {
      await this.options.db
        .insert(t)
        .values(rows)
        .onConflictDoUpdate({
          target: [t.bucketStart, t.instance, t.procedure],
          set: {
            requests: sql`excluded.requests`,
            status2xx: sql`excluded.status_2xx`,
            status3xx: sql`excluded.status_3xx`,
            status4xx: sql`excluded.status_4xx`,
            status5xx: sql`excluded.status_5xx`,
            status401: sql`excluded.status_401`,
            status403: sql`excluded.status_403`,
            status429: sql`excluded.status_429`,
            latencyCounts: sql`excluded.latency_counts`,
          },
        });
    } catch (error) {
      for (const key of keys) this.dirty.add(key);
      this.options.onError?.(error);
      return;
    }
    this.forgetClosedBuckets();
    await this.prune();
  }

  /**
   * Replaces this instance's stored top callers of each changed bucket (the top can change between
   * flushes, so rows are rewritten rather than upserted). False when nothing was written.
   */
  private async writeCallers(): Promise<boolean> {
    const buckets = [...this.dirtyCallers];
    if (buckets.length === 0) return false;
    this.dirtyCallers.clear();
    const { instance } = this.options;
    const rows = buckets.flatMap((bucketMs) =>
      (this.callers.get(bucketMs)?.top(STORED_CALLERS_PER_BUCKET) ?? []).map((counts) => ({ ...counts, bucketStart: new Date(bucketMs), instance })),
    );
    const t = schema.trafficCallers;
    try {
      await this.options.db.transaction(async (tx) => {
        await tx.delete(t).where(and(eq(t.instance, instance), inArray(t.bucketStart, buckets.map((ms) => new Date(ms)))));
        if (rows.length > 0) await tx.insert(t).values(rows);
      });
    } catch (error) {
      for (const bucketMs of buckets) this.dirtyCallers.add(bucketMs);
      this.options.onError?.(error);
      return false;
    }
    return true;
  }

  /** A bucket that has ended and has nothing unwritten will never change again. */
  private forgetClosedBuckets(): void {
    const openFrom = Math.floor(this.now().getTime() / BUCKET_MS) * BUCKET_MS;
    for (const [key, tally] of this.tallies) {
      if (tally.bucketStart.getTime() < openFrom && !this.dirty.has(key)) this.tallies.delete(key);
    }
    for (const bucketMs of this.callers.keys()) {
      if (bucketMs < openFrom && !this.dirtyCallers.has(bucketMs)) this.callers.delete(bucketMs);
    }
  }

  private async prune(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPrune < 5 * 60_000) return;
    this.lastPrune = now;
    try {
      const before = new Date(now - RETENTION_MS);
      await this.options.db.delete(schema.trafficBuckets).where(lt(schema.trafficBuckets.bucketStart, before));
      await this.options.db.delete(schema.trafficCallers).where(lt(schema.trafficCallers.bucketStart, before));
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

function newTally(bucketStart: Date, procedure: string): Tally {
  return {
    bucketStart,
    procedure,
    requests: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    status401: 0,
    status403: 0,
    status429: 0,
    latencyCounts: emptyHistogram(),
  };
}
