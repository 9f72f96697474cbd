import type { DatabaseHandle } from '@bastion/db';
import { schema } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function token(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { ...FORM, ...headers }, payload: form(fields) });
}

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, auth: { loginThrottle: { attempts: 3, windowSeconds: 60 } } });
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('POST /api/v1/auth/token', () => {
  it('password grant: RFC 6749 §5.1 response, no-store, and the token works on both faces', async () => {
    const response = await token({ grant_type: 'password', username: creds.users.operator.email, password: creds.users.operator.password, scope: 'services:read services:write' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    const body = response.json<TokenBody>();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'services:read services:write' });
    const bearer = { authorization: `Bearer ${body.access_token}` };
    expect((await app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer, payload: { slug: 'tok-svc', name: 'T', tier: 'low' } })).statusCode).toBe(201);
    expect((await app.inject({ url: '/trpc/services.get?input=' + encodeURIComponent('{"slug":"tok-svc"}'), headers: bearer })).statusCode).toBe(200);
    // Not asked for, so not granted, though the role has it.
    const incidents = await app.inject({ url: '/api/v1/incidents', headers: bearer });
    expect(incidents.statusCode).toBe(403);
    expect(incidents.headers['www-authenticate']).toContain('insufficient_scope');
  });

  it('refresh_token grant rotates, and a reused refresh token revokes the family (over HTTP)', async () => {
    const first = (await token({ grant_type: 'password', username: creds.users.viewer.email, password: creds.users.viewer.password })).json<TokenBody>();
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(second.statusCode).toBe(200);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) as unknown });
    const afterFamilyRevoked = await token({ grant_type: 'refresh_token', refresh_token: second.json<TokenBody>().refresh_token ?? '' });
    expect(afterFamilyRevoked.statusCode).toBe(400);
  });

  it('a refresh token is not an access token', async () => {
    const first = (await token({ grant_type: 'password', username: creds.users.viewer.email, password: creds.users.viewer.password })).json<TokenBody>();
    const response = await app.inject({ url: '/api/v1/services', headers: { authorization: `Bearer ${first.refresh_token ?? ''}` } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="bastion", error="invalid_token"');
  });

  it('client_credentials with an API key, in the body or with HTTP Basic', async () => {
    const { apiKeyId, apiKey } = creds.users.operator;
    const inBody = await token({ grant_type: 'client_credentials', client_id: apiKeyId, client_secret: apiKey, scope: 'heartbeats:write' });
    expect(inBody.statusCode).toBe(200);
    expect(inBody.json<TokenBody>()).toMatchObject({ scope: 'heartbeats:write' });
    expect(inBody.json<TokenBody>().refresh_token).toBeUndefined();
    const basic = Buffer.from(`${apiKeyId}:${apiKey}`).toString('base64');
    const withBasic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(withBasic.statusCode).toBe(200);
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${withBasic.json<TokenBody>().access_token}` } });
    expect(me.json()).toMatchObject({ kind: 'apiKey', id: apiKeyId, ownerId: creds.users.operator.id, via: 'token' });
    const wrong = await token({ grant_type: 'client_credentials', client_id: apiKeyId, client_secret: 'bst_000000000000_' + 'A'.repeat(43) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('refuses JSON bodies, repeated parameters, unknown grants', async () => {
    const json = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'password' } });
    expect(json.statusCode).toBe(415);
    const twice = await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: 'grant_type=password&grant_type=client_credentials' });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ error: 'invalid_request' });
    expect((await token({ grant_type: 'implicit' })).json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('the form parser exists for the token route only: other routes still refuse form bodies', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/services', headers: { ...FORM, ...creds.admin }, payload: 'slug=x&name=y&tier=low' });
    expect(response.statusCode).toBe(415);
  });

  it('brute force: unknown and known accounts get the same answers, then 429 with Retry-After', async () => {
    const attempt = (username: string) => token({ grant_type: 'password', username, password: 'definitely-wrong' }, { 'x-forwarded-for': 'ignored' });
    const answers = [];
    for (const username of [creds.users.admin.email, 'nobody@bastion.test']) {
      const seen = [];
      for (let i = 0; i < 4; i++) {
        const response = await attempt(username);
        seen.push({ status: response.statusCode, body: response.body.replace(/\d+ s\./, 'N s.'), retryAfter: response.headers['retry-after'] !== undefined });
      }
      answers.push(seen);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.map((a) => a.status)).toEqual([400, 400, 400, 429]);
    expect(answers[0]?.[3]?.retryAfter).toBe(true);
    // The right password is refused during the lockout too.
    const locked = await token({ grant_type: 'password', username: creds.users.admin.email, password: creds.users.admin.password });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public keys that verify our access tokens, and no private parts', async () => {
    const response = await app.inject({ url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const jwks = response.json<JSONWebKeySet>();
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(response.body).not.toMatch(/"d"\s*:/);
    const issued = (await token({ grant_type: 'password', username: creds.users.viewer.email, password: creds.users.viewer.password })).json<TokenBody>();
    const { payload, protectedHeader } = await jwtVerify(issued.access_token, createLocalJWKSet(jwks), { issuer: 'bastion', audience: 'bastion-api' });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(payload.sub).toBe(creds.users.viewer.id);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(900);
  });
});

describe('API keys over REST', () => {
  it('POST shows the secret once; GET never; DELETE revokes and the next request is refused', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: creds.operator, payload: { name: 'monitor', scopes: ['heartbeats:write', 'services:read'] } });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; secret: string }>();
    const listed = await app.inject({ url: '/api/v1/api-keys', headers: creds.operator });
    expect(listed.body).not.toContain(key.secret);
    const withKey = { 'x-api-key': key.secret };
    expect((await app.inject({ url: '/api/v1/services', headers: withKey })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: creds.operator })).statusCode).toBe(204);
    const refused = await app.inject({ url: '/api/v1/services', headers: withKey });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ type: '/problems/unauthorized', detail: 'The API key is invalid, expired or revoked.' });
    const trpcRefused = await app.inject({ url: '/trpc/services.list?input=%7B%7D', headers: withKey });
    expect(trpcRefused.statusCode).toBe(401);
    const audit = (await database.db.select().from(schema.auditLog)).filter((r) => r.target === key.id);
    expect(audit.map((r) => r.action).sort()).toEqual(['apiKeys.create', 'apiKeys.delete']);
  });
});
