import type { DatabaseHandle } from '@bastion/db';
import { schema } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function cookiesOf(response: LightMyRequestResponse): Record<string, string> {
  return Object.fromEntries(response.cookies.map((c) => [c.name, c.value]));
}

async function login(face: 'trpc' | 'rest', host = 'localhost:4000') {
  const payload = { email: creds.users.operator.email, password: creds.users.operator.password };
  const response =
    face === 'trpc'
      ? await app.inject({ method: 'POST', url: '/trpc/auth.login', headers: { host }, payload })
      : await app.inject({ method: 'POST', url: '/api/v1/auth/session', headers: { host }, payload });
  return response;
}

describe('dashboard sessions', () => {
  it('login sets an httpOnly SameSite=Lax session cookie and a readable CSRF cookie; the body carries no session secret', async () => {
    const response = await login('trpc');
    expect(response.statusCode).toBe(200);
    const session = response.cookies.find((c) => c.name === 'bastion_session');
    const csrf = response.cookies.find((c) => c.name === 'bastion_csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session?.secure).toBeUndefined();
    expect(csrf).toMatchObject({ sameSite: 'Lax', path: '/' });
    expect(csrf?.httpOnly).toBeUndefined();
    const body = response.json<{ result: { data: { csrfToken: string; principal: { kind: string; role: string } } } }>().result.data;
    expect(body.csrfToken).toBe(csrf?.value);
    expect(body.principal).toMatchObject({ kind: 'user', role: 'operator' });
    expect(response.body).not.toContain(session?.value ?? 'x');
    const row = (await database.db.select().from(schema.sessions)).find((s) => s.userId === creds.users.operator.id);
    expect(JSON.stringify(row)).not.toContain(session?.value ?? 'x');
  });

  describe('behind the dashboard (a trusted proxy, BASTION_TRUST_PROXY)', () => {
    let proxied: FastifyInstance;
    const PROXY = '10.9.0.2';
    beforeAll(async () => {
      proxied = await buildApp({ database, hardening: TEST_HARDENING, logger: false, trustProxy: [PROXY] });
    });
    afterAll(async () => {
      await proxied.close();
    });
    const loginVia = (remoteAddress: string, headers: Record<string, string>) =>
      proxied.inject({
        method: 'POST',
        url: '/api/v1/auth/session',
        remoteAddress,
        // What the dashboard's rewrite sends: Host is the API's own address, the browser's are forwarded.
        headers: { host: '127.0.0.1:4000', ...headers },
        payload: { email: creds.users.operator.email, password: creds.users.operator.password },
      });
    const secureFlags = (response: LightMyRequestResponse) => response.cookies.map((c) => c.secure === true);

    it('an HTTPS page behind it gets Secure cookies (X-Forwarded-Proto), even on localhost', async () => {
      const response = await loginVia(PROXY, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'localhost:3000' });
      expect(response.statusCode).toBe(200);
      expect(secureFlags(response)).toEqual([true, true]);
    });

    it('the browser’s host decides the localhost exception (X-Forwarded-Host), not the API’s own address', async () => {
      const remote = await loginVia(PROXY, { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'status.example.com' });
      expect(secureFlags(remote)).toEqual([true, true]);
      const local = await loginVia(PROXY, { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'localhost:3000' });
      expect(secureFlags(local)).toEqual([false, false]);
    });

    it('ignores the same headers forged by a client that is not the proxy', async () => {
      const forged = await loginVia('203.0.113.7', { host: 'localhost:4000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'localhost' });
      expect(forged.statusCode).toBe(200);
      expect(secureFlags(forged)).toEqual([false, false]);
      const hidden = await loginVia('203.0.113.7', { host: 'status.example.com', 'x-forwarded-host': 'localhost' });
      expect(secureFlags(hidden)).toEqual([true, true]);
    });
  });

  it('without a trusted proxy, forwarded headers are ignored', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/session',
      headers: { host: 'localhost:4000', 'x-forwarded-proto': 'https' },
      payload: { email: creds.users.operator.email, password: creds.users.operator.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.cookies.map((c) => c.secure === true)).toEqual([false, false]);
  });

  it('the cookie is Secure outside localhost', async () => {
    const response = await login('rest', 'bastion.example.com');
    expect(response.statusCode).toBe(200);
    for (const cookie of response.cookies) expect(cookie.secure).toBe(true);
  });

  it('reads work with the cookie alone; mutations need X-CSRF-Token matching the session (both faces)', async () => {
    const cookies = cookiesOf(await login('rest'));
    const csrf = cookies.bastion_csrf ?? '';
    const cookie = { cookie: `bastion_session=${cookies.bastion_session ?? ''}` };
    expect((await app.inject({ url: '/api/v1/auth/me', headers: cookie })).json()).toMatchObject({ kind: 'user', via: 'session', role: 'operator' });
    expect((await app.inject({ url: '/trpc/services.list?input=%7B%7D', headers: cookie })).statusCode).toBe(200);

    const payload = { slug: 'csrf-svc', name: 'C', tier: 'low' };
    const noToken = await app.inject({ method: 'POST', url: '/api/v1/services', headers: cookie, payload });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ type: '/problems/forbidden', detail: expect.stringContaining('CSRF') as unknown });
    const wrongToken = await app.inject({ method: 'POST', url: '/trpc/services.create', headers: { ...cookie, 'x-csrf-token': 'guess' }, payload });
    expect(wrongToken.statusCode).toBe(403);
    // Another session's token does not fit this session (the token is bound to it).
    const other = cookiesOf(await login('rest'));
    const foreign = await app.inject({ method: 'POST', url: '/api/v1/services', headers: { ...cookie, 'x-csrf-token': other.bastion_csrf ?? '' }, payload });
    expect(foreign.statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/trpc/services.create', headers: { ...cookie, 'x-csrf-token': csrf }, payload });
    expect(ok.statusCode).toBe(200);
  });

  it('logout ends the session server-side and clears both cookies', async () => {
    const cookies = cookiesOf(await login('trpc'));
    const headers = { cookie: `bastion_session=${cookies.bastion_session ?? ''}`, 'x-csrf-token': cookies.bastion_csrf ?? '' };
    const out = await app.inject({ method: 'POST', url: '/trpc/auth.logout', headers: { ...headers, 'content-type': 'application/json' } });
    expect(out.statusCode).toBe(200);
    const cleared = out.cookies.filter((c) => ['bastion_session', 'bastion_csrf'].includes(c.name));
    expect(cleared).toHaveLength(2);
    for (const c of cleared) expect(c.value).toBe('');
    // The old cookie replayed: refused, not silently anonymous.
    const replay = await app.inject({ url: '/api/v1/auth/me', headers });
    expect(replay.statusCode).toBe(401);
  });

  it('bad login: 401 with the same body for an unknown and a known account; audited', async () => {
    const known = await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email: creds.users.viewer.email, password: 'wrong-wrong-wrong' } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email: 'nobody@bastion.test', password: 'wrong-wrong-wrong' } });
    expect(known.statusCode).toBe(401);
    const strip = (body: string) => body.replace(/"requestId":"[^"]+"/, '').replace(/#[^"]+/, '');
    expect(strip(known.body)).toBe(strip(unknown.body));
    const rows = (await database.db.select().from(schema.auditLog)).filter((r) => r.action === 'auth.login');
    expect(rows.filter((r) => r.result === 'failure').map((r) => r.target)).toEqual(expect.arrayContaining([creds.users.viewer.email, 'nobody@bastion.test']));
    expect(rows.filter((r) => r.result === 'success').length).toBeGreaterThan(0);
  });

  it('dashboard login is throttled per account and IP: 429 problem with Retry-After on both faces', async () => {
    const attempt = (url: string) => app.inject({ method: 'POST', url, payload: { email: 'throttle@bastion.test', password: 'wrong-wrong-wrong' }, remoteAddress: '198.51.100.7' });
    for (let i = 0; i < 5; i++) expect((await attempt('/api/v1/auth/session')).statusCode).toBe(401);
    const rest = await attempt('/api/v1/auth/session');
    expect(rest.statusCode).toBe(429);
    expect(rest.headers['retry-after']).toMatch(/^\d+$/);
    expect(rest.json()).toMatchObject({ type: '/problems/too-many-requests' });
    const trpc = await attempt('/trpc/auth.login');
    expect(trpc.statusCode).toBe(429);
    expect(trpc.headers['retry-after']).toMatch(/^\d+$/);
  });
});

describe('credential precedence', () => {
  it('a bearer token wins over a cookie: no CSRF needed, and a bad bearer is not rescued by a good cookie', async () => {
    const cookies = cookiesOf(await login('rest'));
    const cookie = `bastion_session=${cookies.bastion_session ?? ''}`;
    const bad = await app.inject({ url: '/api/v1/auth/me', headers: { cookie, authorization: 'Bearer not-a-jwt' } });
    expect(bad.statusCode).toBe(401);
    const withKey = await app.inject({ method: 'POST', url: '/api/v1/services', headers: { cookie, ...creds.operator }, payload: { slug: 'key-svc', name: 'K', tier: 'low' } });
    expect(withKey.statusCode).toBe(201);
  });

  it('the public status ignores bad credentials rather than failing', async () => {
    const response = await app.inject({ url: '/api/v1/status', headers: { 'x-api-key': 'bst_nope' } });
    expect(response.statusCode).toBe(200);
  });
});
