import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * Mass assignment on the REST face: bodies carrying fields a client must not set (ids, owners,
 * timestamps, hashes, roles, scopes beyond the caller's) are refused with 422, or — for a path
 * parameter repeated in the body — overruled by the path; either way the stored rows are checked.
 */
let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;
const OTHER_ID = '00000000-0000-4000-8000-000000000001';
const PAST = '2001-01-01T00:00:00.000Z';

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
  creds = await seedCredentials(database.db);
  for (const headers of [creds.admin, creds.operator]) {
    // Each key's last-used time is written on its first request: done here, so the snapshots compare what matters.
    expect((await app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
  }
  expect((await send('POST', '/services', creds.operator, { slug: 'billing-api', name: 'Billing', tier: 'high' })).statusCode).toBe(201);
  expect((await send('POST', '/services', creds.operator, { slug: 'auth-api', name: 'Auth', tier: 'critical' })).statusCode).toBe(201);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function send(method: 'POST' | 'PATCH', path: string, headers: Record<string, string>, payload: Record<string, unknown>) {
  return app.inject({ method, url: `/api/v1${path}`, headers, payload });
}

const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

/** Every row a mass assignment could reach. */
async function snapshot() {
  const { db } = database;
  return {
    users: byId(await db.select().from(schema.users)),
    apiKeys: byId(await db.select().from(schema.apiKeys)),
    services: byId(await db.select().from(schema.services)),
    incidents: byId(await db.select().from(schema.incidents)),
    incidentUpdates: byId(await db.select().from(schema.incidentUpdates)),
  };
}

async function expectRefusedAndNothingChanged(method: 'POST' | 'PATCH', path: string, headers: Record<string, string>, payload: Record<string, unknown>, field: string) {
  const before = await snapshot();
  const response = await send(method, path, headers, payload);
  expect(response.statusCode, response.body).toBe(422);
  expect(response.json()).toMatchObject({ type: '/problems/validation-error' });
  expect(response.body).toContain(field);
  expect(await snapshot()).toEqual(before);
}

describe('users', () => {
  it.each([
    ['id', { id: OTHER_ID }],
    ['createdAt', { createdAt: PAST }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged' }],
    ['disabledAt', { disabledAt: PAST }],
  ])('POST /users with %s: 422, no user created', async (field, extra) => {
    await expectRefusedAndNothingChanged('POST', '/users', creds.admin, { email: 'new@bastion.test', role: 'viewer', password: 'a-long-password!', ...extra }, field);
  });

  it.each([
    ['email', { email: 'taken-over@bastion.test' }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged' }],
    ['createdAt', { createdAt: PAST }],
    ['scopes', { scopes: ['users:manage'] }],
  ])('PATCH /users/{id} with %s: 422, the user unchanged', async (field, extra) => {
    await expectRefusedAndNothingChanged('PATCH', `/users/${creds.users.viewer.id}`, creds.admin, { name: 'Renamed', ...extra }, field);
  });

  it('PATCH /users/{id} with another id in the body changes the user in the path only', async () => {
    const before = await snapshot();
    const response = await send('PATCH', `/users/${creds.users.viewer.id}`, creds.admin, { id: creds.users.admin.id, role: 'operator' });
    expect(response.statusCode, response.body).toBe(200);
    const after = await snapshot();
    expect(after.users.find((u) => u.id === creds.users.admin.id)).toEqual(before.users.find((u) => u.id === creds.users.admin.id));
    expect(after.users.find((u) => u.id === creds.users.viewer.id)?.role).toBe('operator');
    await send('PATCH', `/users/${creds.users.viewer.id}`, creds.admin, { role: 'viewer' });
  });

  it('an operator cannot give itself a role through PATCH /users/{id}: 403, row unchanged', async () => {
    const before = await snapshot();
    expect((await send('PATCH', `/users/${creds.users.operator.id}`, creds.operator, { role: 'admin' })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('api-keys', () => {
  it.each([
    ['ownerId', { ownerId: OTHER_ID }],
    ['id', { id: OTHER_ID }],
    ['prefix', { prefix: 'bst_000000000000' }],
    ['secretHash', { secretHash: 'ab'.repeat(32) }],
    ['createdAt', { createdAt: PAST }],
    ['revokedAt', { revokedAt: null }],
  ])('POST /api-keys with %s: 422, no key created', async (field, extra) => {
    await expectRefusedAndNothingChanged('POST', '/api-keys', creds.operator, { name: 'sneaky', scopes: ['services:read'], ...extra }, field);
  });

  it('POST /api-keys with scopes beyond the owner’s: 422 naming them, no key created', async () => {
    await expectRefusedAndNothingChanged('POST', '/api-keys', creds.operator, { name: 'sneaky', scopes: ['services:read', 'users:manage'] }, 'users:manage');
  });

  it('a created key belongs to the caller, whatever else was sent', async () => {
    const response = await send('POST', '/api-keys', creds.operator, { name: 'mine', scopes: ['services:read'] });
    expect(response.statusCode, response.body).toBe(201);
    const { id } = response.json<{ id: string }>();
    const row = (await snapshot()).apiKeys.find((k) => k.id === id);
    expect(row).toMatchObject({ ownerId: creds.users.operator.id, scopes: ['services:read'], revokedAt: null });
  });
});

describe('services', () => {
  it.each([
    ['id', { id: OTHER_ID }],
    ['createdAt', { createdAt: PAST }],
    ['updatedAt', { updatedAt: PAST }],
    ['status', { status: 'up' }],
  ])('POST /services with %s: 422, no service created', async (field, extra) => {
    await expectRefusedAndNothingChanged('POST', '/services', creds.operator, { slug: 'sneaky-api', name: 'Sneaky', tier: 'low', ...extra }, field);
  });

  it.each([
    ['id', { id: OTHER_ID }],
    ['createdAt', { createdAt: PAST }],
    ['ownerId', { ownerId: OTHER_ID }],
  ])('PATCH /services/{slug} with %s: 422, the service unchanged', async (field, extra) => {
    await expectRefusedAndNothingChanged('PATCH', '/services/billing-api', creds.operator, { name: 'Renamed', ...extra }, field);
  });

  it('PATCH /services/{slug} with another slug in the body changes the service in the path only', async () => {
    const before = await snapshot();
    const response = await send('PATCH', '/services/billing-api', creds.operator, { slug: 'auth-api', name: 'Billing v2' });
    expect(response.statusCode, response.body).toBe(200);
    const after = await snapshot();
    expect(after.services.find((s) => s.slug === 'auth-api')).toEqual(before.services.find((s) => s.slug === 'auth-api'));
    expect(after.services.find((s) => s.slug === 'billing-api')?.name).toBe('Billing v2');
  });
});

describe('incidents', () => {
  const declare = { title: 'Billing errors', severity: 'sev2', serviceSlugs: ['billing-api'], message: 'Investigating.' };

  it.each([
    ['id', { id: OTHER_ID }],
    ['status', { status: 'resolved' }],
    ['createdAt', { createdAt: PAST }],
    ['resolvedAt', { resolvedAt: PAST }],
  ])('POST /incidents with %s: 422, no incident created', async (field, extra) => {
    await expectRefusedAndNothingChanged('POST', '/incidents', creds.operator, { ...declare, ...extra }, field);
  });

  it('POST /incidents/{id}/updates: extra fields refused, and an id in the body never redirects the update', async () => {
    const first = (await send('POST', '/incidents', creds.operator, declare)).json<{ id: string }>();
    const second = (await send('POST', '/incidents', creds.operator, { ...declare, title: 'Other' })).json<{ id: string }>();
    for (const [field, extra] of [
      ['incidentId', { incidentId: second.id }],
      ['createdAt', { createdAt: PAST }],
    ] as const) {
      await expectRefusedAndNothingChanged('POST', `/incidents/${first.id}/updates`, creds.operator, { status: 'identified', message: 'Found it.', ...extra }, field);
    }
    const before = await snapshot();
    const response = await send('POST', `/incidents/${first.id}/updates`, creds.operator, { id: second.id, status: 'identified', message: 'Found it.' });
    expect(response.statusCode, response.body).toBe(201);
    const after = await snapshot();
    expect(after.incidents.find((i) => i.id === second.id)).toEqual(before.incidents.find((i) => i.id === second.id));
    const updatesOf = (rows: typeof after.incidentUpdates, id: string) => rows.filter((u) => u.incidentId === id);
    expect(updatesOf(after.incidentUpdates, second.id)).toEqual(updatesOf(before.incidentUpdates, second.id));
    expect(updatesOf(after.incidentUpdates, first.id)).toHaveLength(updatesOf(before.incidentUpdates, first.id).length + 1);
  });
});
