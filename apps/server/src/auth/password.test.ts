import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * Changing one's password over HTTP, on both faces: the dashboard's cookie session (which needs
 * its CSRF token, like every cookie mutation) and a bearer token; what ends and what stays.
 */
let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;
let userNumber = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A user of its own (invited by the admin), so no test changes another's password. */
async function newUser(password: string): Promise<string> {
  const email = `password-${++userNumber}@bastion.test`;
  const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: creds.admin, payload: { email, role: 'operator', password } });
  expect(res.statusCode, res.body).toBe(201);
  return email;
}

/** Signs in on the REST face; the headers a browser sends with the session (cookie, CSRF token). */
async function session(email: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email, password } });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = (name: string) => res.cookies.find((c) => c.name === name)?.value ?? '';
  return { cookie: { cookie: `bastion_session=${cookie('bastion_session')}` }, csrf: { 'x-csrf-token': cookie('bastion_csrf') } };
}

async function tokens(email: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'password', username: email, password }).toString() });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ access_token: string; refresh_token: string }>();
}

const signInStatus = async (email: string, password: string) =>
  (await app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email, password } })).statusCode;
const meStatus = async (headers: Record<string, string>) => (await app.inject({ url: '/api/v1/auth/me', headers })).statusCode;
const refreshStatus = async (refreshToken: string) =>
  (await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString() }))
    .statusCode;

describe('changing a password with the dashboard session', () => {
  it('REST: refused without the CSRF token; with it, changed, the calling session stays and every other session and refresh token ends', async () => {
    const email = await newUser('old-password-1234');
    const mine = await session(email, 'old-password-1234');
    const other = await session(email, 'old-password-1234');
    const { access_token: accessToken, refresh_token: refreshToken } = await tokens(email, 'old-password-1234');
    const bearer = { authorization: `Bearer ${accessToken}` };
    const payload = { currentPassword: 'old-password-1234', newPassword: 'new-password-5678' };

    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: mine.cookie, payload });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json<{ detail: string }>().detail).toContain('CSRF');
    expect(await signInStatus(email, 'old-password-1234')).toBe(200);

    const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: { ...mine.cookie, ...mine.csrf }, payload });
    expect(changed.statusCode, changed.body).toBe(200);
    // One other session from the start, one from the sign-in check above.
    expect(changed.json()).toMatchObject({ endedSessions: 2, revokedTokenFamilies: 1 });
    expect(await meStatus(mine.cookie)).toBe(200);
    expect(await meStatus(other.cookie)).toBe(401);
    expect(await refreshStatus(refreshToken)).toBe(400);
    // The access token issued with the old password is refused at once, not in 15 minutes.
    expect(await meStatus(bearer)).toBe(401);
    expect(await signInStatus(email, 'old-password-1234')).toBe(401);
    expect(await signInStatus(email, 'new-password-5678')).toBe(200);
  });

  it('tRPC: the same, with the error envelope pointing at the wrong field', async () => {
    const email = await newUser('old-password-1234');
    const mine = await session(email, 'old-password-1234');
    const other = await session(email, 'old-password-1234');
    const url = '/trpc/auth.changePassword';

    const noCsrf = await app.inject({ method: 'POST', url, headers: mine.cookie, payload: { currentPassword: 'old-password-1234', newPassword: 'new-password-5678' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json<{ error: { data: { code: string } } }>().error.data.code).toBe('FORBIDDEN');

    const wrong = await app.inject({ method: 'POST', url, headers: { ...mine.cookie, ...mine.csrf }, payload: { currentPassword: 'not-it-at-all', newPassword: 'new-password-5678' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<{ error: { data: { problemType: string; errors: unknown[] } } }>().error.data).toMatchObject({
      problemType: 'validation-error',
      errors: [{ pointer: '/currentPassword', detail: 'The current password is not correct.' }],
    });

    const ok = await app.inject({ method: 'POST', url, headers: { ...mine.cookie, ...mine.csrf }, payload: { currentPassword: 'old-password-1234', newPassword: 'new-password-5678' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ result: { data: { endedSessions: number } } }>().result.data.endedSessions).toBe(1);
    expect(await meStatus(mine.cookie)).toBe(200);
    expect(await meStatus(other.cookie)).toBe(401);
    expect(await signInStatus(email, 'new-password-5678')).toBe(200);
  });
});

describe('changing a password with a bearer token', () => {
  it('needs no CSRF token, and ends every session and refresh-token family of the account', async () => {
    const email = await newUser('old-password-1234');
    const browser = await session(email, 'old-password-1234');
    const { access_token: accessToken, refresh_token: refreshToken } = await tokens(email, 'old-password-1234');
    const { access_token: elsewhere } = await tokens(email, 'old-password-1234');
    const bearer = { authorization: `Bearer ${accessToken}` };
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer, payload: { currentPassword: 'old-password-1234', newPassword: 'new-password-5678' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ endedSessions: 1, revokedTokenFamilies: 2 });
    expect(await meStatus(browser.cookie)).toBe(401);
    expect(await refreshStatus(refreshToken)).toBe(400);
    expect(await signInStatus(email, 'new-password-5678')).toBe(200);
    // The token that made the change keeps working; the other one issued before it is refused at
    // once, on both faces; a token issued after the change works.
    expect(await meStatus(bearer)).toBe(200);
    expect(await meStatus({ authorization: `Bearer ${elsewhere}` })).toBe(401);
    expect((await app.inject({ url: '/trpc/auth.me', headers: { authorization: `Bearer ${elsewhere}` } })).statusCode).toBe(401);
    const { access_token: fresh } = await tokens(email, 'new-password-5678');
    expect(await meStatus({ authorization: `Bearer ${fresh}` })).toBe(200);
  });

  it('a second change refuses the token that made the first one, unless it makes this one too', async () => {
    const email = await newUser('old-password-1234');
    const { access_token: first } = await tokens(email, 'old-password-1234');
    const change = (token: string, currentPassword: string, newPassword: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: { authorization: `Bearer ${token}` }, payload: { currentPassword, newPassword } });
    expect((await change(first, 'old-password-1234', 'new-password-5678')).statusCode).toBe(200);
    const { access_token: second } = await tokens(email, 'new-password-5678');
    expect((await change(second, 'new-password-5678', 'third-password-9012')).statusCode).toBe(200);
    expect(await meStatus({ authorization: `Bearer ${first}` })).toBe(401);
    expect(await meStatus({ authorization: `Bearer ${second}` })).toBe(200);
  });

  it('an API key cannot change its owner’s password (403), on either face', async () => {
    const payload = { currentPassword: creds.users.operator.password, newPassword: 'new-password-5678' };
    const rest = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: creds.operator, payload });
    expect(rest.statusCode).toBe(403);
    expect(rest.headers['content-type']).toMatch(/^application\/problem\+json/);
    const trpc = await app.inject({ method: 'POST', url: '/trpc/auth.changePassword', headers: creds.operator, payload });
    expect(trpc.statusCode).toBe(403);
    expect(await signInStatus(creds.users.operator.email, creds.users.operator.password)).toBe(200);
  });
});
