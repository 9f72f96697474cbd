import { createAuthRuntime, type AuthRuntime } from '@bastion/api/auth';
import { createTokenForger, type TokenForger } from '@bastion/api/testing/forged-tokens';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * Bad bearer tokens over HTTP, on both faces: each must be refused with 401 by a protected REST
 * operation (problem+json, WWW-Authenticate) and a protected tRPC procedure (UNAUTHORIZED). The
 * first row is a well-formed token from the same forger, so every refusal below is the flaw's doing.
 */
let database: DatabaseHandle;
let auth: AuthRuntime;
let app: FastifyInstance;
let creds: TestCredentials;
let forger: TokenForger;
const seconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  database = await openTestDatabase();
  auth = await createAuthRuntime(database.db);
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, auth });
  creds = await seedCredentials(database.db);
  forger = await createTokenForger(auth, creds.users.admin.id, () => new Date());
});
afterAll(async () => {
  await app.close();
  await database.close();
});

async function refreshToken(): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'password', username: creds.users.admin.email, password: creds.users.admin.password }).toString(),
  });
  const { refresh_token: token } = response.json<{ refresh_token?: string }>();
  if (!token) throw new Error(`no refresh token: ${response.body}`);
  return token;
}

const BAD_TOKENS: [name: string, make: () => Promise<string> | string][] = [
  ['alg:none', () => forger.unsigned()],
  ['HS256 keyed with the JWK of our public key', async () => (await forger.hmacWithPublicKey())[0] ?? ''],
  ['HS256 keyed with the raw bytes of our public key', async () => (await forger.hmacWithPublicKey())[1] ?? ''],
  ['expired', () => forger.forge({ iat: seconds() - 1200, exp: seconds() - 300 })],
  ['wrong iss', () => forger.forge({ iss: 'https://evil.example' })],
  ['wrong aud', () => forger.forge({ aud: 'another-api' })],
  ['unknown kid', () => forger.forge({ header: { kid: 'no-such-kid' } })],
  ['tampered payload (scopes widened after signing)', async () => forger.tamper(await forger.forge(), { scope: 'users:manage audit:read' })],
  ['a refresh token used as an access token', refreshToken],
];

const rest = (token: string) => app.inject({ url: '/api/v1/services', headers: { authorization: `Bearer ${token}` } });
const trpc = (token: string) => app.inject({ url: '/trpc/services.list?input=%7B%7D', headers: { authorization: `Bearer ${token}` } });

function trpcCode(response: LightMyRequestResponse): unknown {
  return response.json<{ error?: { data?: { code?: string } } }>().error?.data?.code;
}

it('a well-formed token from the same forger is accepted on both faces (the control)', async () => {
  const token = await forger.forge();
  expect((await rest(token)).statusCode).toBe(200);
  expect((await trpc(token)).statusCode).toBe(200);
});

describe.each(BAD_TOKENS)('bearer token: %s', (_name, make) => {
  it('REST: 401 problem+json with WWW-Authenticate', async () => {
    const response = await rest(await make());
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="bastion", error="invalid_token"');
    expect(response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  });

  it('tRPC: 401 UNAUTHORIZED', async () => {
    const response = await trpc(await make());
    expect(response.statusCode).toBe(401);
    expect(trpcCode(response)).toBe('UNAUTHORIZED');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="bastion", error="invalid_token"');
  });
});
