import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

/** Everything the server writes on `socket` until it closes the connection. */
async function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await Promise.race([once(socket, 'close'), once(socket, 'error')]);
  return text;
}

// The race behind the rolling restart's rare 502/503 (apps/cluster): nginx opens a connection, the
// listener accepts it, the instance starts closing, then the request arrives. Fastify's defaults
// destroyed that "idle" connection or answered a plain-JSON 503, and nginx does not retry a POST.
it('answers a request that arrives, once shutdown has begun, on a connection accepted before it', async () => {
  const app = await buildApp({ database, logger: false, hardening: { maxEventLoopDelayMs: 0 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('not listening');

  const accepted = once(app.server, 'connection');
  const socket = connect(address.port, '127.0.0.1');
  await accepted;
  const answer = readAll(socket);
  const closed = app.close();
  socket.write('GET /healthz HTTP/1.1\r\nHost: bastion.test\r\nConnection: close\r\n\r\n');

  const text = await answer;
  await closed;
  expect(text).toMatch(/^HTTP\/1\.1 200 /);
  expect(text).toContain('{"status":"ok"}');
});
