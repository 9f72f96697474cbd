import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase, truncateAll } from '@bastion/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fieldErrorsOf } from '../../common/errors.js';
import { appRouter } from '../../root.js';
import { createCallerFactory } from '../../trpc.js';
import { asAdmin } from '../../testing/principals.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 12:10, a third into the 12:00–12:30 bucket, so the window must round up to 12:30. */
const NOW = new Date('2025-06-01T12:10:00.000Z');
const WINDOW_END = new Date('2025-06-01T12:30:00.000Z');

const createCaller = createCallerFactory(appRouter);
let handle: DatabaseHandle;
const caller = () => createCaller(asAdmin({ db: handle.db, now: () => NOW }));

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  await truncateAll(handle);
  await caller().services.create({ slug: 'auth-api', name: 'Auth API', tier: 'critical' });
  await caller().services.create({ slug: 'payments-api', name: 'Payments API', tier: 'high' });
});

/** Reports a heartbeat observed `msBeforeNow` before NOW. */
function beat(slug: string, status: 'up' | 'degraded' | 'down', msBeforeNow: number) {
  return caller().heartbeats.create({ slug, status, observedAt: new Date(NOW.getTime() - msBeforeNow).toISOString() });
}

async function rejection(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}

describe('heartbeats.strip', () => {
  it('splits the last 24 hours into epoch-aligned buckets ending at now rounded up', async () => {
    const strip = await caller().heartbeats.strip({});
    expect(strip.bucketSeconds).toBe(1800);
    expect(strip.to).toBe(WINDOW_END.toISOString());
    expect(strip.from).toBe(new Date(WINDOW_END.getTime() - 24 * HOUR).toISOString());
    expect(strip.services.map((s) => s.slug)).toEqual(['auth-api', 'payments-api']);
    for (const service of strip.services) {
      expect(service.buckets).toHaveLength(48);
      expect(service.buckets[0]?.start).toBe(strip.from);
      expect(service.buckets.at(-1)?.start).toBe('2025-06-01T12:00:00.000Z');
    }
  });

  it('shows the worst heartbeat of each interval with its counts, and missing where none arrived', async () => {
    await beat('auth-api', 'up', 1 * MINUTE); // current bucket (12:00–12:30)
    await beat('auth-api', 'down', 2 * MINUTE);
    await beat('auth-api', 'up', 3 * MINUTE);
    await beat('auth-api', 'degraded', 35 * MINUTE); // 11:30–12:00
    await beat('auth-api', 'up', 40 * MINUTE); // 11:30 itself: a bucket includes its start
    await beat('auth-api', 'up', 80 * MINUTE); // 10:30–11:00

    const auth = (await caller().heartbeats.strip({})).services.find((s) => s.slug === 'auth-api');
    const last = auth?.buckets.slice(-4);
    expect(last).toEqual([
      { start: '2025-06-01T10:30:00.000Z', status: 'up', up: 1, degraded: 0, down: 0 },
      { start: '2025-06-01T11:00:00.000Z', status: 'missing', up: 0, degraded: 0, down: 0 },
      { start: '2025-06-01T11:30:00.000Z', status: 'degraded', up: 1, degraded: 1, down: 0 },
      { start: '2025-06-01T12:00:00.000Z', status: 'down', up: 2, degraded: 0, down: 1 },
    ]);
    const payments = (await caller().heartbeats.strip({})).services.find((s) => s.slug === 'payments-api');
    expect(payments?.buckets.every((b) => b.status === 'missing')).toBe(true);
  });

  it('leaves out heartbeats older than the window and keeps each on its own service', async () => {
    await beat('payments-api', 'down', 25 * HOUR);
    await beat('payments-api', 'up', 23 * HOUR);
    const strip = await caller().heartbeats.strip({});
    const payments = strip.services.find((s) => s.slug === 'payments-api');
    const counted = payments?.buckets.reduce((sum, b) => sum + b.up + b.degraded + b.down, 0);
    expect(counted).toBe(1);
    expect(strip.services.find((s) => s.slug === 'auth-api')?.buckets.some((b) => b.status !== 'missing')).toBe(false);
  });

  it('answers one service when asked, with the window and bucket size asked for', async () => {
    await beat('payments-api', 'degraded', 5 * MINUTE);
    const strip = await caller().heartbeats.strip({ service: 'payments-api', hours: 1, buckets: 12 });
    expect(strip.bucketSeconds).toBe(300);
    expect(strip.to).toBe('2025-06-01T12:10:00.000Z');
    expect(strip.services).toHaveLength(1);
    expect(strip.services[0]?.buckets).toHaveLength(12);
    expect(strip.services[0]?.buckets.at(-1)).toMatchObject({ start: '2025-06-01T12:05:00.000Z', status: 'degraded' });
  });

  it('answers NOT_FOUND for an unknown service', async () => {
    const error = await rejection(caller().heartbeats.strip({ service: 'nope' }));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('refuses a bucket count that does not split the window into whole seconds, on /buckets', async () => {
    const error = await rejection(caller().heartbeats.strip({ hours: 1, buckets: 7 }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(fieldErrorsOf(error).map((e) => e.pointer)).toEqual(['/buckets']);
  });
});
