import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/principal.js';
import type { Role } from '../../auth/scopes.js';
import { sha256 } from '../../auth/secrets.js';
import { appRouter } from '../../root.js';
import { principalOf, seedTestUsers, type SeededUser } from '../../testing/principals.js';
import { createCallerFactory } from '../../trpc.js';

let handle: DatabaseHandle;
let users: Record<Role, SeededUser>;
const now = new Date('2025-06-01T12:00:00Z');
const caller = (principal: Principal) => createCallerFactory(appRouter)({ db: handle.db, now: () => now, principal, requestId: 'req-keys', ip: '203.0.113.9' });

beforeAll(async () => {
  handle = await openTestDatabase();
  users = await seedTestUsers(handle.db);
});
afterAll(async () => {
  await handle.close();
});

describe('apiKeys', () => {
  it('shows the secret once, stores only its SHA-256 and prefix, and the key works', async () => {
    const created = await caller(principalOf(users.operator)).apiKeys.create({ name: 'blackbox', scopes: ['heartbeats:write'] });
    expect(created.secret).toMatch(/^bst_[0-9a-f]{12}_[\w-]{43}$/);
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    const [row] = await handle.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, created.id));
    expect(row?.secretHash).toBe(sha256(created.secret));
    expect(JSON.stringify(row)).not.toContain(created.secret);
    const listed = await caller(principalOf(users.operator)).apiKeys.list();
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(17));
    expect(listed.items.find((k) => k.id === created.id)).not.toHaveProperty('secret');
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, created.secret)).resolves.toMatchObject({
      kind: 'apiKey',
      id: created.id,
      scopes: ['heartbeats:write'],
    });
  });

  it('records last use at most once a minute', async () => {
    const created = await caller(principalOf(users.operator)).apiKeys.create({ name: 'lastused', scopes: ['services:read'] });
    await authenticateApiKey({ db: handle.db, now: () => now }, created.secret);
    const [row] = await handle.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, created.id));
    expect(row?.lastUsedAt?.toISOString()).toBe(now.toISOString());
  });

  it('cannot grant scopes its creator lacks', async () => {
    await expect(caller(principalOf(users.operator)).apiKeys.create({ name: 'escalate', scopes: ['users:manage'] })).rejects.toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
    });
  });

  it('ignores no field silently: extra fields such as ownerId or id are rejected (mass assignment)', async () => {
    const before = await handle.db.select().from(schema.apiKeys);
    await expect(
      caller(principalOf(users.operator)).apiKeys.create({ name: 'mine', scopes: ['services:read'], ownerId: users.admin.id, id: users.admin.apiKeyId } as never),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await handle.db.select().from(schema.apiKeys)).toEqual(before);
  });

  it('an expired key is refused', async () => {
    const created = await caller(principalOf(users.admin)).apiKeys.create({ name: 'short', scopes: ['services:read'], expiresAt: new Date(now.getTime() + 60_000).toISOString() });
    await expect(authenticateApiKey({ db: handle.db, now: () => new Date(now.getTime() + 61_000) }, created.secret)).resolves.toBeNull();
  });

  it('revoking: the next request with the key is refused; audited as a mutation with the key as target', async () => {
    const created = await caller(principalOf(users.operator)).apiKeys.create({ name: 'to-revoke', scopes: ['services:read'] });
    await caller(principalOf(users.operator)).apiKeys.delete({ id: created.id });
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, created.secret)).resolves.toBeNull();
    const rows = await handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.target, created.id));
    expect(rows.map((r) => [r.action, r.result, r.actorId, r.requestId, r.ip]).sort()).toEqual([
      ['apiKeys.create', 'success', users.operator.id, 'req-keys', '203.0.113.9'],
      ['apiKeys.delete', 'success', users.operator.id, 'req-keys', '203.0.113.9'],
    ]);
    expect(JSON.stringify(rows)).not.toContain(created.secret);
  });

  it('others’ keys are invisible (404), except to admins (object-level authorization)', async () => {
    const adminKey = await caller(principalOf(users.admin)).apiKeys.create({ name: 'admins-own', scopes: ['audit:read'] });
    const operatorKey = await caller(principalOf(users.operator)).apiKeys.create({ name: 'operators-own', scopes: ['services:read'] });
    const operatorList = await caller(principalOf(users.operator)).apiKeys.list();
    expect(operatorList.items.every((k) => k.ownerId === users.operator.id)).toBe(true);
    await expect(caller(principalOf(users.operator)).apiKeys.delete({ id: adminKey.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, adminKey.secret)).resolves.not.toBeNull();
    const adminList = await caller(principalOf(users.admin)).apiKeys.list();
    expect(adminList.items.map((k) => k.id)).toContain(operatorKey.id);
    await caller(principalOf(users.admin)).apiKeys.delete({ id: operatorKey.id });
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, operatorKey.secret)).resolves.toBeNull();
  });

  it('a key narrows to its owner’s current role', async () => {
    const created = await caller(principalOf(users.operator)).apiKeys.create({ name: 'narrow', scopes: ['services:read', 'services:write'] });
    await handle.db.update(schema.users).set({ role: 'viewer' }).where(eq(schema.users.id, users.operator.id));
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, created.secret)).resolves.toMatchObject({ scopes: ['services:read'] });
    await handle.db.update(schema.users).set({ role: 'operator' }).where(eq(schema.users.id, users.operator.id));
  });
});
