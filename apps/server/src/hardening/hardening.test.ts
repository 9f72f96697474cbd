import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { depthOf } from './hardening.js';
import { securityHeaders } from './security-headers.js';

let database: DatabaseHandle;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({
    database,
    logger: false,
    bodyLimit: 4096,
    hardening: { corsOrigins: ['https://ops.example.com'] },
  });
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const post = (payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/api/v1/services', headers: { 'content-type': contentType }, payload });

describe('request limits', () => {
  it('answers 413 problem when the body is larger than the limit', async () => {
    const response = await post(JSON.stringify({ slug: 'big', name: 'x'.repeat(8000), tier: 'low' }));
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('refuses JSON nested deeper than the limit with 400 before any procedure runs', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const response = await post(deep);
    expect(response.statusCode).toBe(400);
    const problem = response.json<{ type: string; detail: string }>();
    expect(problem.type).toBe('/problems/bad-request');
    expect(problem.detail).toContain('nested deeper');
  });

  it('refuses a __proto__ key, however it is spelt, with a 400 problem', async () => {
    for (const key of ['__proto__', '\\u005f_proto__', '_\\u005Fproto\\u005f_']) {
      const response = await post(`{"slug":"proto","name":"P","tier":"low","${key}":{"admin":true}}`);
      expect(response.statusCode, key).toBe(400);
      expect(response.json<{ detail: string }>().detail, key).toContain('prototype');
    }
    // Nested too; the text "__proto__" as a value is data, not a key: that body is parsed and goes
    // on to the access check (401 here, without credentials).
    expect((await post('{"slug":"proto","name":"P","tier":"low","meta":{"a":{"__proto__":1}}}')).statusCode).toBe(400);
    expect((await post('{"slug":"proto-text","name":"__proto__","tier":"low"}')).statusCode).toBe(401);
  });

  it('refuses the same on the tRPC face: __proto__ keys and deep inputs are a BAD_REQUEST before the procedure runs', async () => {
    // Public procedures: nothing but the input can refuse these calls.
    const mutation = (input: string) =>
      app.inject({ method: 'POST', url: '/trpc/auth.login', headers: { 'content-type': 'application/json' }, payload: input });
    type Envelope = { error: { json?: { message: string; data: { code: string } }; message?: string; data?: { code: string } } };
    const errorOf = (body: Envelope) => body.error.json ?? body.error;
    for (const key of ['__proto__', '\\u005f_proto__']) {
      const response = await mutation(`{"email":"a@b.example","password":"x","${key}":{"admin":true}}`);
      expect(response.statusCode, key).toBe(400);
      const error = errorOf(response.json<Envelope>());
      expect(error.data?.code, key).toBe('BAD_REQUEST');
      expect(error.message, key).toContain('prototype');
    }
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const query = await app.inject({ method: 'GET', url: `/trpc/status.get?input=${encodeURIComponent(deep)}` });
    expect(query.statusCode).toBe(400);
    expect(errorOf(query.json<Envelope>()).message).toContain('nested deeper');
    expect((await mutation(deep)).statusCode).toBe(400);
    // "__proto__" as a value is data: that call reaches the procedure (a wrong password, 401).
    expect((await mutation('{"email":"a@b.example","password":"__proto__"}')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/trpc/status.get' })).statusCode).toBe(200);
  });

  it('counts depth without walking past the limit', () => {
    expect(depthOf(1, 10)).toBe(0);
    expect(depthOf({ a: [{ b: 1 }] }, 10)).toBe(3);
    expect(depthOf({ a: { b: { c: { d: 1 } } } }, 2)).toBeLessThanOrEqual(3);
  });
});

describe('headers', () => {
  it('sends security headers and no Server or X-Powered-By header', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers.server).toBeUndefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sends helmet’s headers on every answer, errors and unknown routes included', async () => {
    const expected = securityHeaders({});
    for (const url of ['/api/v1/status', '/api/v1/no-such-route', '/api/v1/services?limit=0', '/docs/']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security'], url).toBe(expected['strict-transport-security']);
      expect(response.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
      expect(response.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });

  it('works the headers out from helmet itself, so options reach them', () => {
    const headers = securityHeaders({ frameguard: { action: 'deny' }, contentSecurityPolicy: false, strictTransportSecurity: false });
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('allows only listed origins, never *', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/v1/services',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('https://ops.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    const denied = await preflight('https://evil.example.net');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets a browser client read the back-off and replay headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/status', headers: { origin: 'https://ops.example.com' } });
    const exposed = String(response.headers['access-control-expose-headers']).toLowerCase().split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['ratelimit', 'ratelimit-policy', 'retry-after', 'idempotent-replayed', 'x-request-id']));
  });
});

describe('header size limit', () => {
  it('answers an oversized request head with 431 problem+json and keeps serving', async () => {
    const small = await buildApp({ database, logger: false, hardening: { maxEventLoopDelayMs: 0 }, maxHeaderBytes: 8 * 1024 });
    const base = await small.listen({ port: 0, host: '127.0.0.1' });
    try {
      const oversized = await fetch(`${base}/api/v1/status`, { headers: { 'x-padding': 'a'.repeat(9 * 1024) } });
      expect(oversized.status).toBe(431);
      expect(oversized.headers.get('content-type')).toBe('application/problem+json');
      expect(await oversized.json()).toMatchObject({ type: '/problems/request-header-fields-too-large', status: 431 });
      // Just under the limit still works, and the server is still there after the refusal.
      const fits = await fetch(`${base}/api/v1/status`, { headers: { 'x-padding': 'a'.repeat(6 * 1024) } });
      expect(fits.status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('per-request timeout', () => {
  it('answers 503 problem with Retry-After instead of hanging', async () => {
    const slow = await buildApp({ database, logger: false, requestTimeoutMs: 100 });
    slow.get('/slow-for-test', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return { late: true };
    });
    slow.get('/quick-for-test', async () => ({ quick: true }));
    const response = await slow.inject({ method: 'GET', url: '/slow-for-test' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({ type: '/problems/service-unavailable' });
    // The abandoned handler finishing later changes nothing, and answers in time are left alone.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const quick = await slow.inject({ method: 'GET', url: '/quick-for-test' });
    expect(quick.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await slow.inject({ method: 'GET', url: '/quick-for-test' })).json()).toEqual({ quick: true });
    await slow.close();
  });
});
