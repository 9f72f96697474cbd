import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForInjectLoads, requestInjectLoad } from './inject-control.js';
import { injectLoad } from './inject-load.js';

let app: FastifyInstance;
let seenKeys: string[] = [];

beforeAll(async () => {
  app = Fastify();
  app.get('/ok', async (request) => {
    seenKeys.push(String(request.headers['x-api-key']));
    return { ok: true };
  });
  // Yields to the event loop's I/O phase, which a route answering in microtasks alone never does.
  app.get('/slow', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return { ok: true };
  });
  app.get('/teapot', async (_request, reply) => reply.code(418).send({ short: 'and stout' }));
  await app.ready();
});
afterAll(() => app.close());

describe('injectLoad', () => {
  it('keeps calling the route until the deadline, with the given headers, and counts CPU', async () => {
    seenKeys = [];
    const figures = await injectLoad(app, { method: 'GET', path: '/ok', headers: { 'x-api-key': 'k1' }, concurrency: 4, durationSec: 0.2 });
    expect(figures.calls).toBeGreaterThan(10);
    expect(figures.calls).toBe(seenKeys.length);
    expect(new Set(seenKeys)).toEqual(new Set(['k1']));
    expect(figures.cpuUs).toBeGreaterThan(0);
    expect(figures.failures).toEqual({});
  });

  it('counts every answer other than 200 by status', async () => {
    const figures = await injectLoad(app, { method: 'GET', path: '/teapot', concurrency: 2, durationSec: 0.1 });
    expect(figures.failures).toEqual({ 418: figures.calls });
  });
});

describe('listenForInjectLoads', () => {
  let port: number;
  const post = (body: string, path = '/inject') => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body });

  beforeAll(async () => {
    const server = await listenForInjectLoads(app, 0);
    port = (server.address() as AddressInfo).port;
    return () => new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
    });
  });

  it('runs a load it is asked for and answers its figures', async () => {
    const figures = await requestInjectLoad(port, { method: 'GET', path: '/ok', concurrency: 2, durationSec: 0.1 });
    expect(figures.calls).toBeGreaterThan(0);
    expect(figures.failures).toEqual({});
  });

  it('refuses a body that is not JSON or not a load with 400 and says why', async () => {
    const notJson = await post('{');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toContain('not JSON');
    const notALoad = await post(JSON.stringify({ method: 'DELETE', path: 'ok', concurrency: 0, durationSec: 1, extra: true }));
    expect(notALoad.status).toBe(400);
    const { error } = (await notALoad.json()) as { error: string };
    for (const field of ['method', 'path', 'concurrency', 'extra']) expect(error).toContain(field);
    await expect(requestInjectLoad(port, { method: 'GET', path: '/ok', concurrency: 2000, durationSec: 1 })).rejects.toThrow(/refused \(400\)/);
  });

  it('answers 404 off its one route', async () => {
    expect((await post('{}', '/elsewhere')).status).toBe(404);
  });

  it('refuses a second load while one runs (they would count each other’s CPU), and takes loads again after', async () => {
    const first = requestInjectLoad(port, { method: 'GET', path: '/slow', concurrency: 2, durationSec: 0.3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await post(JSON.stringify({ method: 'GET', path: '/ok', concurrency: 1, durationSec: 0.1 }));
    expect(second.status).toBe(409);
    await first;
    await expect(requestInjectLoad(port, { method: 'GET', path: '/ok', concurrency: 1, durationSec: 0.05 })).resolves.toMatchObject({ failures: {} });
  });
});
