import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { buildApp } from '../app.js';

/**
 * Load shedding end to end through @fastify/under-pressure: the heap it samples (once a second)
 * is made to read over the threshold, then back under it.
 */
const THRESHOLD = 512 * 1024 * 1024;
let database: DatabaseHandle;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, logger: false, hardening: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: THRESHOLD } });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await app.close();
  await database.close();
});

const real = process.memoryUsage.bind(process);

function heapReads(heapUsed: number) {
  const fake = Object.assign(() => ({ ...real(), heapUsed }), { rss: () => real.rss() });
  vi.spyOn(process, 'memoryUsage').mockImplementation(fake);
}

const get = (url: string) => app.inject({ method: 'GET', url });

it('sheds requests with 503 problem+json and Retry-After while the heap is over the threshold, health checks exempt, and recovers by itself', async () => {
  expect((await get('/api/v1/status')).statusCode).toBe(200);

  heapReads(THRESHOLD + 1);
  await vi.waitFor(async () => {
    expect((await get('/api/v1/status')).statusCode).toBe(503);
  }, { timeout: 5_000, interval: 100 });
  const shed = await get('/api/v1/status');
  expect(shed.headers['content-type']).toContain('application/problem+json');
  expect(shed.headers['retry-after']).toBe('5');
  expect(shed.json()).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
  expect((await app.inject({ method: 'POST', url: '/trpc/status.get' })).statusCode).toBe(503);
  expect((await get('/healthz')).statusCode).toBe(200);
  expect((await get('/readyz')).statusCode).toBe(200);

  heapReads(THRESHOLD - 1);
  await vi.waitFor(async () => {
    expect((await get('/api/v1/status')).statusCode).toBe(200);
  }, { timeout: 5_000, interval: 100 });
});
