import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../auth/credentials.js';
import type { Principal } from '../../auth/principal.js';
import type { Role } from '../../auth/scopes.js';
import { appRouter } from '../../root.js';
import { principalOf, seedTestUsers, type SeededUser } from '../../testing/principals.js';
import { createCallerFactory } from '../../trpc.js';

let handle: DatabaseHandle;
let users: Record<Role, SeededUser>;
const now = new Date('2025-06-01T12:00:00Z');
const caller = (principal: Principal) => createCallerFactory(appRouter)({ db: handle.db, now: () => now, principal });
const asAdmin = () => caller(principalOf(users.admin));

beforeAll(async () => {
  handle = await openTestDatabase();
  users = await seedTestUsers(handle.db);
});
afterAll(async () => {
  await handle.close();
});

describe('users', () => {
  it('invites with a generated password shown once, stored as argon2id, never in output', async () => {
    const created = await asAdmin().users.create({ email: 'Ada@Example.com', role: 'operator' });
    expect(created).toMatchObject({ email: 'ada@example.com', role: 'operator', disabled: false });
    expect(created.temporaryPassword).toMatch(/^[\w-]{24}$/);
    const [row] = await handle.db.select().from(schema.users).where(eq(schema.users.id, created.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const list = await asAdmin().users.list();
    expect(JSON.stringify(list)).not.toContain('argon2');
    expect(JSON.stringify(list)).not.toContain(created.temporaryPassword ?? 'x');
  });

  it('refuses a duplicate email with 409', async () => {
    await expect(asAdmin().users.create({ email: users.viewer.email, role: 'viewer', password: 'long-enough-password' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('mass assignment: id, passwordHash or disabledAt in the body are rejected and nothing changes', async () => {
    const before = await handle.db.select().from(schema.users);
    await expect(
      asAdmin().users.create({ email: 'eve@example.com', role: 'viewer', id: users.admin.id, passwordHash: 'x' } as never),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(asAdmin().users.update({ id: users.viewer.id, email: 'admin@evil.test', passwordHash: 'x' } as never)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await handle.db.select().from(schema.users)).toEqual(before);
  });

  it('changes a role, and the audit row says from what to what', async () => {
    const created = await asAdmin().users.create({ email: 'grace@example.com', role: 'viewer', password: 'long-enough-password' });
    const updated = await asAdmin().users.update({ id: created.id, role: 'operator' });
    expect(updated.role).toBe('operator');
    const [audit] = await handle.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.action, 'users.update'), eq(schema.auditLog.target, created.id)));
    expect(audit).toMatchObject({ actorId: users.admin.id, target: created.id, result: 'success', detail: { role: { from: 'viewer', to: 'operator' } } });
  });

  it('disabling stops the account’s keys at once', async () => {
    const created = await asAdmin().users.create({ email: 'mallory@example.com', role: 'operator', password: 'long-enough-password' });
    const key = await caller(principalOf({ ...created, role: 'operator' })).apiKeys.create({
      name: 'k',
      scopes: ['services:read'],
    });
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, key.secret)).resolves.not.toBeNull();
    await asAdmin().users.update({ id: created.id, disabled: true });
    await expect(authenticateApiKey({ db: handle.db, now: () => now }, key.secret)).resolves.toBeNull();
  });

  it('never leaves the system without an active admin', async () => {
    const only = await handle.db.select().from(schema.users).where(eq(schema.users.role, 'admin'));
    expect(only).toHaveLength(1);
    await expect(asAdmin().users.update({ id: users.admin.id, role: 'viewer' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(asAdmin().users.update({ id: users.admin.id, disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('is refused to operators, and the refusal is audited as denied', async () => {
    await expect(caller(principalOf(users.operator)).users.update({ id: users.operator.id, role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rows = await handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.result, 'denied'));
    expect(rows.some((r) => r.action === 'users.update' && r.actorId === users.operator.id && r.target === users.operator.id)).toBe(true);
    const [me] = await handle.db.select().from(schema.users).where(eq(schema.users.id, users.operator.id));
    expect(me?.role).toBe('operator');
  });
});
