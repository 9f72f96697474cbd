import { Writable } from 'node:stream';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { seedCredentials, type TestCredentials } from './testing/credentials.js';
import { TEST_HARDENING } from './testing/test-app.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;
let lines: string[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  creds = await seedCredentials(database.db);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  // The caller's own serializer logs every header: the redaction must still hold.
  const serializers = { req: (req: { headers: unknown }) => ({ headers: req.headers }) };
  app = await buildApp({ database, hardening: TEST_HARDENING, traffic: false, logger: { level: 'info', stream, serializers } });
  // What a developer adding a debug line would write: the whole request, headers included.
  app.get('/log-the-request-for-test', async (request) => {
    request.log.info({ req: request }, 'debugging');
    return { ok: true };
  });
});
beforeEach(() => {
  lines = [];
});
afterAll(async () => {
  await app.close();
  await database.close();
});

interface RequestLine {
  msg: string;
  reqId: string;
  principal: string;
  procedure?: string;
  status: number;
  durationMs: number;
}

function completedLines(): RequestLine[] {
  return lines.map((line) => JSON.parse(line) as RequestLine).filter((entry) => entry.msg === 'request completed');
}

it('writes one line per request with request id, principal, procedure, status and duration', async () => {
  const response = await app.inject({ method: 'GET', url: '/api/v1/services', headers: { ...creds.viewer, 'x-request-id': 'log-test-1' } });
  expect(response.statusCode).toBe(200);
  const [line, ...more] = completedLines();
  expect(more).toHaveLength(0);
  expect(line).toMatchObject({ reqId: 'log-test-1', principal: `apiKey:${creds.users.viewer.apiKeyId}`, procedure: 'services.list', status: 200 });
  expect(line?.durationMs).toBeTypeOf('number');
});

it('names the tRPC procedure and an anonymous caller', async () => {
  await app.inject({ method: 'GET', url: '/trpc/status.get' });
  expect(completedLines()[0]).toMatchObject({ principal: 'anonymous', procedure: 'status.get', status: 200 });
});

it('never writes a credential, even a refused one', async () => {
  const secrets = [creds.users.admin.apiKey, 'Bearer some.secret.token', 'bastion_session=cookie-secret'];
  await app.inject({ method: 'GET', url: '/api/v1/services', headers: creds.admin });
  await app.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization: secrets[1] ?? '', cookie: secrets[2] ?? '' } });
  expect(completedLines().map((l) => l.principal)).toEqual([`apiKey:${creds.users.admin.apiKeyId}`, 'anonymous']);
  await app.inject({ method: 'GET', url: '/log-the-request-for-test', headers: { ...creds.admin, authorization: secrets[1] ?? '', cookie: secrets[2] ?? '' } });
  const all = lines.join('\n');
  expect(all).toContain('[Redacted]');
  for (const secret of secrets) expect(all).not.toContain(secret);
});
