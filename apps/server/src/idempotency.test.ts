import type { AppRouter } from '@bastion/api';
import { createOpenApiDocument, listRestOperations } from '@bastion/api/openapi';
import { schema } from '@bastion/db';
import { truncateAll } from '@bastion/db/testing';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testing/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await truncateAll(t.database);
  t.clock.reset();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { ...t.auth, ...headers } });
const serviceCount = async () => (await t.database.db.select().from(schema.services)).length;
const service = (slug: string) => ({ slug, name: 'Payments', tier: 'high' as const });

describe('Idempotency-Key on the REST face', () => {
  it('replays status and body byte for byte, marked Idempotent-Replayed, with one effect', async () => {
    const first = await post('/api/v1/services', service('pay'), { 'idempotency-key': 'rest-1' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    t.clock.advance(60_000);
    const retry = await post('/api/v1/services', service('pay'), { 'idempotency-key': 'rest-1' });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(retry.body).toBe(first.body);
    expect(await serviceCount()).toBe(1);
    expect(await t.database.db.select().from(schema.idempotencyKeys)).toHaveLength(1);
  });

  it('covers path parameters: the same body to another resource is another request', async () => {
    await post('/api/v1/services', service('one'), { 'idempotency-key': 'setup-1' });
    await post('/api/v1/services', service('two'), { 'idempotency-key': 'setup-2' });
    const beat = { status: 'up', latencyMs: 10 };
    expect((await post('/api/v1/services/one/heartbeats', beat, { 'idempotency-key': 'beat' })).statusCode).toBe(201);
    const other = await post('/api/v1/services/two/heartbeats', beat, { 'idempotency-key': 'beat' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ type: '/problems/idempotency-key-mismatch', status: 422 });
  });

  it('answers 422 problem+json idempotency-key-mismatch for the same key with another body', async () => {
    await post('/api/v1/services', service('first'), { 'idempotency-key': 'reuse' });
    const response = await post('/api/v1/services', service('second'), { 'idempotency-key': 'reuse' });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.json()).toMatchObject({ type: '/problems/idempotency-key-mismatch', title: 'Idempotency-Key reused', status: 422 });
    expect(await serviceCount()).toBe(1);
  });

  it('answers 400 problem+json idempotency-key-invalid for a malformed key', async () => {
    const response = await post('/api/v1/services', service('nope'), { 'idempotency-key': 'x'.repeat(256) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: '/problems/idempotency-key-invalid', status: 400 });
    expect(await serviceCount()).toBe(0);
  });

  it('keeps each principal’s keys apart', async () => {
    const creds = t.credentials;
    if (!creds) throw new Error('credentials were not seeded');
    const mine = await post('/api/v1/services', service('admins'), { ...creds.admin, 'idempotency-key': 'same' });
    const theirs = await post('/api/v1/services', service('operators'), { ...creds.operator, 'idempotency-key': 'same' });
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(await serviceCount()).toBe(2);
  });

  it('still answers 409 conflict (not an idempotency type) to a plain duplicate', async () => {
    await post('/api/v1/services', service('dupe'));
    const response = await post('/api/v1/services', service('dupe'), { 'idempotency-key': 'fresh' });
    expect(response.json()).toMatchObject({ type: '/problems/conflict', status: 409 });
  });
});

describe('Idempotency-Key on the tRPC face', () => {
  const client = (key: string) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url: `${t.baseUrl}/trpc`, headers: { ...t.auth, 'idempotency-key': key } })] });

  it('replays a mutation through @trpc/client, and shares keys with the REST face', async () => {
    const created = await client('trpc-1').services.create.mutate(service('via-trpc'));
    expect(await client('trpc-1').services.create.mutate(service('via-trpc'))).toEqual(created);
    // The same call over REST with the same key is the same request.
    const rest = await post('/api/v1/services', service('via-trpc'), { 'idempotency-key': 'trpc-1' });
    expect(rest.headers['idempotent-replayed']).toBe('true');
    expect(rest.json()).toEqual(created);
    expect(await serviceCount()).toBe(1);
  });

  it('answers a reused key with UNPROCESSABLE_CONTENT', async () => {
    await client('trpc-2').services.create.mutate(service('a-one'));
    const error: unknown = await client('trpc-2').services.create.mutate(service('a-two')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', httpStatus: 422 });
  });
});

describe('Idempotency-Key in the docs', () => {
  const document = createOpenApiDocument();

  it('is a reusable header parameter on every mutation that honours it, and absent where refused', () => {
    expect(document.components?.parameters?.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
    const operations = listRestOperations();
    const honoured = operations.filter((op) => op.idempotencyKey);
    expect(honoured.map((op) => `${op.method} ${op.path}`)).toEqual(expect.arrayContaining(['POST /services', 'POST /incidents', 'POST /services/{slug}/heartbeats']));
    for (const op of operations) {
      const documented = document.paths?.[op.path]?.[op.method.toLowerCase() as 'post'];
      const refs = (documented?.parameters ?? []).map((p) => ('$ref' in p ? p.$ref : undefined));
      expect(refs.includes('#/components/parameters/IdempotencyKey'), `${op.method} ${op.path}`).toBe(op.idempotencyKey);
      if (op.idempotencyKey) expect(op.errorStatuses).toEqual(expect.arrayContaining([400, 409, 422]));
    }
    const refused = operations.filter((op) => op.method === 'POST' && !op.idempotencyKey).map((op) => op.path);
    expect(refused.sort()).toEqual(['/api-keys', '/auth/password', '/auth/session', '/users']);
  });

  it('describes the new problem types at /problems/{type}', async () => {
    for (const type of ['idempotency-key-invalid', 'idempotency-key-in-use', 'idempotency-key-mismatch']) {
      const response = await t.app.inject({ method: 'GET', url: `/problems/${type}` });
      expect(response.statusCode, type).toBe(200);
      expect(response.json()).toMatchObject({ type: `/problems/${type}` });
    }
  });
});

describe('the tRPC mount', () => {
  it('answers a batch over BASTION_TRPC_MAX_BATCH (20) with 400, and serves one at the limit', async () => {
    const batch = (size: number) =>
      t.app.inject({ method: 'GET', url: `/trpc/${Array.from({ length: size }, () => 'status.get').join(',')}?batch=1`, headers: t.auth });
    const atLimit = await batch(20);
    expect(atLimit.statusCode).toBe(200);
    expect(atLimit.json()).toHaveLength(20);
    const over = await batch(21);
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('21 calls, at most 20') as string } });
  });

  it('sets WWW-Authenticate on a 401 and the session cookies from auth.login (procedure-set headers)', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/trpc/services.list' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="bastion"');
    const creds = t.credentials;
    if (!creds) throw new Error('credentials were not seeded');
    const login = await t.app.inject({
      method: 'POST',
      url: '/trpc/auth.login',
      payload: { email: creds.users.viewer.email, password: creds.users.viewer.password },
    });
    expect(login.statusCode).toBe(200);
    expect(login.cookies.map((c) => c.name).sort()).toEqual(['bastion_csrf', 'bastion_session']);
  });

  it('keeps idle connections longer than a proxy does (72 s > nginx’s 60 s)', () => {
    expect(t.app.server.keepAliveTimeout).toBe(72_000);
    expect(t.app.server.headersTimeout).toBeGreaterThan(72_000);
  });
});
