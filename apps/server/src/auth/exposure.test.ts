import { Writable } from 'node:stream';
import type { DatabaseHandle } from '@bastion/db';
import { schema } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * Excessive data exposure: secrets never leave in a response body (after the one response that
 * hands a new key out) and never reach a log line, whatever the caller does.
 */
let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;
const logLines: string[] = [];
const bodies: { url: string; body: string; headers: string }[] = [];

async function send(options: InjectOptions & { url: string }) {
  const response = await app.inject(options);
  bodies.push({ url: options.url, body: response.body, headers: JSON.stringify(response.headers) });
  return response;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  database = await openTestDatabase();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  // A caller's logger options without any redaction: buildApp must add it anyway.
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: { level: 'trace', stream } });
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('secrets stay secret', () => {
  it('never appear in a response body or a log line', async () => {
    const { admin, operator } = creds.users;
    const adminRow = (await database.db.select().from(schema.users)).find((u) => u.id === admin.id);
    const passwordHash = adminRow?.passwordHash ?? '';
    expect(passwordHash).toMatch(/^\$argon2id\$/);

    // Every way in, with the secrets in headers, bodies and forms.
    // The responses that hand a secret out (once) are not recorded; every other one is.
    const tokens = await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'password', username: admin.email, password: admin.password }).toString() });
    const { access_token: accessToken, refresh_token: refreshToken } = tokens.json<{ access_token: string; refresh_token: string }>();
    await send({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString() });
    await send({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'password', username: admin.email, password: 'the-wrong-password-123' }).toString() });
    await send({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: operator.apiKeyId, client_secret: operator.apiKey }).toString() });
    const login = await send({ method: 'POST', url: '/api/v1/auth/session', payload: { email: admin.email, password: admin.password } });
    const session = login.cookies.find((c) => c.name === 'bastion_session')?.value ?? '';
    const csrf = login.cookies.find((c) => c.name === 'bastion_csrf')?.value ?? '';
    const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${accessToken}` }, payload: { name: 'exposed?', scopes: ['services:read'] } });
    const newKey = created.json<{ secret: string }>().secret;
    expect(newKey).toMatch(/^bst_/);
    for (const headers of [{ authorization: `Bearer ${accessToken}` }, { 'x-api-key': newKey }, { cookie: `bastion_session=${session}`, 'x-csrf-token': csrf }, creds.admin]) {
      for (const url of ['/api/v1/users', '/api/v1/api-keys', '/api/v1/auth/me', '/api/v1/audit?limit=100', '/trpc/users.list', '/trpc/apiKeys.list', '/trpc/audit.list?input=%7B%22limit%22%3A100%7D']) {
        await send({ url, headers });
      }
    }
    await send({ method: 'POST', url: '/api/v1/users', headers: creds.admin, payload: { email: 'new@bastion.test', role: 'viewer', password: 'a-brand-new-password' } });
    await send({ method: 'POST', url: '/api/v1/services', headers: { 'x-api-key': newKey }, payload: { slug: 'nope', name: 'x', tier: 'low' } });
    // A password change, wrong and then right (the user is the one created just above).
    const newUser = await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'password', username: 'new@bastion.test', password: 'a-brand-new-password' }).toString() });
    const newUserAuth = { authorization: `Bearer ${newUser.json<{ access_token: string }>().access_token}` };
    await send({ method: 'POST', url: '/api/v1/auth/password', headers: newUserAuth, payload: { currentPassword: 'the-wrong-password-123', newPassword: 'a-changed-password-456' } });
    const changed = await send({ method: 'POST', url: '/trpc/auth.changePassword', headers: newUserAuth, payload: { currentPassword: 'a-brand-new-password', newPassword: 'a-changed-password-456' } });
    expect(changed.statusCode, changed.body).toBe(200);

    const secrets = {
      'password hash': passwordHash,
      'admin password': admin.password,
      'new user password': 'a-brand-new-password',
      'wrong password': 'the-wrong-password-123',
      'new API key': newKey,
      'seeded API key': operator.apiKey,
      'refresh token': refreshToken,
      'changed password': 'a-changed-password-456',
      'session token': session,
    };
    const logs = logLines.join('\n');
    expect(logs).toContain('request completed');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(logs.includes(secret), `${name} in the log`).toBe(false);
      for (const { url, body } of bodies) expect(body.includes(secret), `${name} in the body of ${url}`).toBe(false);
    }
    for (const { body } of bodies) {
      expect(body).not.toMatch(/\$argon2|passwordHash|secretHash|tokenHash|csrfHash|privateJwk/);
    }
    // The audit log itself holds no secret either.
    const audit = JSON.stringify(await database.db.select().from(schema.auditLog));
    for (const [name, secret] of Object.entries(secrets)) expect(audit.includes(secret), `${name} in the audit log`).toBe(false);
  });
});
