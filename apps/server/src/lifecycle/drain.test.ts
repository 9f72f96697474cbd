import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { drainConnections } from './drain.js';
import { TEST_HARDENING } from '../testing/test-app.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let agent: Agent;
let release: () => void;
let entered: Promise<void>;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
afterEach(async () => {
  agent.destroy();
  await app.close();
});

/** A fresh app on an ephemeral port, with `/slow` that answers only when the test calls `release()`. */
async function startApp(): Promise<number> {
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
  let enter = () => {};
  entered = new Promise((done) => (enter = done));
  const gate = new Promise<void>((done) => (release = done));
  app.get('/slow', async () => {
    enter();
    await gate;
    return { slow: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('not listening');
  // One keep-alive socket, as a proxy's upstream pool would hold.
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return address.port;
}

function get(port: string | number, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', fail).end();
  });
}

it('turns readiness to 503 and closes each connection after its answer, while still accepting requests', async () => {
  const port = await startApp();
  const before = await get(port, '/readyz');
  expect(before.status).toBe(200);
  expect(before.headers.connection).toBe('keep-alive');

  const drained = drainConnections(app, { maxMs: 60_000 });
  const ready = await get(port, '/readyz');
  expect(ready.status).toBe(503);
  expect(JSON.parse(ready.body)).toEqual({ status: 'shutting_down' });
  expect(ready.headers.connection).toBe('close');

  const status = await get(port, '/api/v1/status');
  expect(status.status).toBe(200);
  expect(status.headers.connection).toBe('close');
  // Every client closed its connection after a `Connection: close` answer: the drain ends early.
  expect((await drained).openConnections).toBe(0);
});

it('lets a request in flight when the drain starts finish, and closes its connection', async () => {
  const port = await startApp();
  const slow = get(port, '/slow');
  await entered;
  const drained = drainConnections(app, { maxMs: 60_000 });
  release();
  const answer = await slow;
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ slow: true });
  expect(answer.headers.connection).toBe('close');
  expect((await drained).openConnections).toBe(0);
});

it('gives up after maxMs when a client keeps an idle connection open', async () => {
  const port = await startApp();
  expect((await get(port, '/healthz')).status).toBe(200);
  const drained = await drainConnections(app, { maxMs: 200 });
  expect(drained.openConnections).toBe(1);
  expect(drained.waitedMs).toBeGreaterThanOrEqual(200);
});
