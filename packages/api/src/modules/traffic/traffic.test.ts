import { describe, expect, it } from 'vitest';
import { schema } from '@bastion/db';
import { eq } from 'drizzle-orm';
import { useHarness } from '../../testing/harness.js';
import { seedTestUsers, viewerPrincipal } from '../../testing/principals.js';
import { TopCallers } from './traffic-callers.js';
import { latencySlot, quantile, emptyHistogram } from './traffic-histogram.js';
import { STORED_CALLERS_PER_BUCKET, TrafficRecorder } from './traffic-recorder.js';
import { TRAFFIC_LATENCY_BOUNDS_MS } from './traffic.schema.js';

const h = useHarness();
const SECOND = 1_000;

function recorder(instance: string) {
  return new TrafficRecorder({ db: h.db, instance, now: h.clock.now });
}

describe('latency histogram', () => {
  it('puts a duration in the first slot whose bound holds it, overflow last', () => {
    expect(latencySlot(0.2)).toBe(0);
    expect(latencySlot(1)).toBe(0);
    expect(latencySlot(1.01)).toBe(1);
    expect(latencySlot(60_000)).toBe(TRAFFIC_LATENCY_BOUNDS_MS.length);
  });

  it('interpolates quantiles inside a slot and is null when empty', () => {
    const histogram = emptyHistogram();
    expect(quantile(histogram, 0.5)).toBeNull();
    histogram[latencySlot(40)] = 100; // slot (25, 50]
    expect(quantile(histogram, 0.5)).toBe(37.5);
    expect(quantile(histogram, 0.99)).toBeCloseTo(49.75);
  });
});

describe('traffic', () => {
  it('sums every instance into zero-filled 10-second buckets with status classes and percentiles', async () => {
    const a = recorder('a');
    const b = recorder('b');
    for (let i = 0; i < 30; i += 1) a.record('services.list', 200, 4);
    for (let i = 0; i < 10; i += 1) b.record('services.list', 429, 0.5);
    b.record('incidents.declare', 403, 2);
    b.record('incidents.declare', 401, 2);
    a.record('heartbeats.report', 500, 900);
    await Promise.all([a.flush(), b.flush()]);
    h.clock.advance(25 * SECOND);
    a.record('services.list', 201, 4);
    await a.flush();

    const traffic = await h.caller.traffic.get({ minutes: 1 });
    expect(traffic.instances).toBe(2);
    expect(traffic.bucketSeconds).toBe(10);
    expect(traffic.series).toHaveLength(6);
    const first = traffic.series.find((p) => p.at === h.clock.at(0).toISOString());
    expect(first).toMatchObject({ requests: 43, status2xx: 30, status4xx: 12, status5xx: 1, status401: 1, status403: 1, status429: 10, perSecond: 4.3 });
    expect(first?.p50Ms).toBeGreaterThan(3);
    expect(first?.p50Ms).toBeLessThanOrEqual(5);
    expect(traffic.series.filter((p) => p.requests === 0)).toHaveLength(4);
    expect(traffic.totals).toMatchObject({ requests: 44, status5xx: 1, status429: 10 });
    expect(traffic.procedures.map((p) => [p.procedure, p.requests])).toEqual([
      ['services.list', 41],
      ['incidents.declare', 2],
      ['heartbeats.report', 1],
    ]);
  });

  it('rewrites running totals, so flushing twice never double-counts', async () => {
    const a = recorder('a');
    a.record('status.get', 200, 1);
    await a.flush();
    a.record('status.get', 200, 1);
    await a.flush();
    await a.flush();
    expect((await h.caller.traffic.get({ minutes: 1 })).totals.requests).toBe(2);
  });

  it('keeps counts it could not write and writes them on the next flush', async () => {
    const errors: unknown[] = [];
    let down = true;
    const flakyDb = new Proxy(h.db, {
      get: (target, property, receiver) =>
        property === 'insert' && down
          ? () => {
              throw new Error('database down');
            }
          : Reflect.get(target, property, receiver) as unknown,
    });
    const a = new TrafficRecorder({ db: flakyDb, instance: 'a', now: h.clock.now, onError: (error) => errors.push(error) });
    a.record('status.get', 200, 1);
    await a.flush();
    expect(errors).toHaveLength(1);
    down = false;
    await a.flush();
    expect((await h.caller.traffic.get({ minutes: 1 })).totals.requests).toBe(1);
  });

  it('reads only the window asked for', async () => {
    const a = recorder('a');
    a.record('status.get', 200, 1);
    await a.flush();
    h.clock.advance(3 * 60 * SECOND);
    expect((await h.caller.traffic.get({ minutes: 2 })).totals.requests).toBe(0);
    expect((await h.caller.traffic.get({ minutes: 5 })).totals.requests).toBe(1);
  });

  it('is for traffic:read holders only', async () => {
    await expect(h.callerAs(viewerPrincipal).traffic.get({ minutes: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.callerAs(undefined).traffic.get({ minutes: 5 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses windows outside 1 minute to 1 day', async () => {
    await expect(h.caller.traffic.get({ minutes: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(h.caller.traffic.get({ minutes: 24 * 60 + 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('top callers', () => {
  it('names the busiest callers summed over instances, with their 4xx/5xx/429, and never a secret', async () => {
    const users = await seedTestUsers(h.db);
    const key = `apiKey:${users.operator.apiKeyId}`;
    const a = recorder('a');
    const b = recorder('b');
    for (let i = 0; i < 30; i += 1) a.record('services.list', 200, 1, key);
    for (let i = 0; i < 20; i += 1) b.record('services.list', 429, 1, key);
    for (let i = 0; i < 5; i += 1) b.record('services.list', 200, 1, `user:${users.viewer.id}`);
    a.record('services.list', 401, 1, 'ip:203.0.113.9');
    a.record('services.list', 500, 1, 'ip:203.0.113.9');
    await Promise.all([a.flush(), b.flush()]);
    h.clock.advance(12 * SECOND);
    for (let i = 0; i < 10; i += 1) b.record('services.list', 200, 1, key);
    await b.flush();

    const { callers } = await h.caller.traffic.get({ minutes: 5 });
    expect(callers.map((c) => [c.kind, c.id, c.requests])).toEqual([
      ['apiKey', users.operator.apiKeyId, 60],
      ['user', users.viewer.id, 5],
      ['ip', '203.0.113.9', 2],
    ]);
    const [top, user, ip] = callers;
    const [stored] = await h.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, users.operator.apiKeyId));
    expect(top).toMatchObject({ name: 'operator-test-key', keyPrefix: stored?.prefix, revoked: false, status4xx: 20, status429: 20, status5xx: 0 });
    expect(JSON.stringify(callers)).not.toContain(users.operator.apiKey);
    expect(user).toMatchObject({ name: users.viewer.email, keyPrefix: null });
    expect(ip).toMatchObject({ name: null, status4xx: 1, status5xx: 1, status429: 0 });

    await h.db.update(schema.apiKeys).set({ revokedAt: h.clock.now() }).where(eq(schema.apiKeys.id, users.operator.apiKeyId));
    expect((await h.caller.traffic.get({ minutes: 5 })).callers[0]?.revoked).toBe(true);
  });

  it('stays bounded under a flood of distinct addresses and still finds the flooder', async () => {
    const a = recorder('a');
    const flooder = 'apiKey:00000000-0000-4000-8000-0000000000f1';
    for (let i = 0; i < 5_000; i += 1) {
      a.record('status.get', 200, 1, `ip:10.${String(i >> 16)}.${String((i >> 8) & 255)}.${String(i & 255)}`);
      if (i % 10 === 0) a.record('status.get', 429, 1, flooder);
    }
    await a.flush();
    const rows = await h.db.select().from(schema.trafficCallers);
    expect(rows).toHaveLength(STORED_CALLERS_PER_BUCKET);
    const { callers } = await h.caller.traffic.get({ minutes: 1 });
    expect(callers[0]).toMatchObject({ id: '00000000-0000-4000-8000-0000000000f1', requests: 500, status429: 500, name: null, revoked: false });
    // A one-off address is never shown as busier than it was.
    expect(callers.slice(1).every((c) => c.requests === 1)).toBe(true);
  });

  it('rewrites a bucket\'s rows on each flush instead of adding to them', async () => {
    const a = recorder('a');
    a.record('status.get', 200, 1, 'ip:192.0.2.1');
    await a.flush();
    a.record('status.get', 200, 1, 'ip:192.0.2.1');
    await a.flush();
    await a.flush();
    expect((await h.caller.traffic.get({ minutes: 1 })).callers).toMatchObject([{ kind: 'ip', id: '192.0.2.1', requests: 2 }]);
  });

  it('tracks at most its capacity, evicting the least busy, and reports counts from admission', () => {
    const top = new TopCallers(2);
    for (let i = 0; i < 5; i += 1) top.record('heavy', 200);
    top.record('one', 200);
    top.record('two', 404);
    expect(top.size).toBe(2);
    expect(top.top(5)).toEqual([
      { caller: 'heavy', requests: 5, status4xx: 0, status5xx: 0, status429: 0 },
      { caller: 'two', requests: 1, status4xx: 1, status5xx: 0, status429: 0 },
    ]);
  });
});
