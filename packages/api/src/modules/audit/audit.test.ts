import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../root.js';
import { adminPrincipal, operatorPrincipal } from '../../testing/principals.js';
import { createCallerFactory } from '../../trpc.js';
import { writeAudit } from './audit.service.js';

let handle: DatabaseHandle;
const t0 = new Date('2025-06-01T12:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const audit = () => createCallerFactory(appRouter)({ db: handle.db, now: () => t0, principal: adminPrincipal }).audit;

beforeAll(async () => {
  handle = await openTestDatabase();
  for (let i = 0; i < 25; i++) {
    await writeAudit(
      { db: handle.db, now: () => at(i) },
      { actor: i % 2 ? operatorPrincipal : adminPrincipal, action: i % 5 === 0 ? 'auth.login' : 'services.create', result: 'success', target: `s-${i}` },
    );
  }
});
afterAll(async () => {
  await handle.close();
});

describe('audit log', () => {
  it('lists newest first, cursor-paginated', async () => {
    const first = await audit().list({ limit: 10 });
    expect(first.items.map((r) => r.target)).toEqual(Array.from({ length: 10 }, (_, i) => `s-${24 - i}`));
    const second = await audit().list({ limit: 10, cursor: first.nextCursor ?? '' });
    const third = await audit().list({ limit: 10, cursor: second.nextCursor ?? '' });
    expect(third.items).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
  });

  it('filters by actor, action and time', async () => {
    const byActor = await audit().list({ actor: operatorPrincipal.id, limit: 100 });
    expect(byActor.items).toHaveLength(12);
    expect(byActor.items.every((r) => r.actor.id === operatorPrincipal.id && r.actor.label === operatorPrincipal.email)).toBe(true);
    const logins = await audit().list({ action: 'auth.login', limit: 100 });
    expect(logins.items.map((r) => r.target)).toEqual(['s-20', 's-15', 's-10', 's-5', 's-0']);
    const window = await audit().list({ from: at(10).toISOString(), to: at(13).toISOString(), limit: 100 });
    expect(window.items.map((r) => r.target)).toEqual(['s-12', 's-11', 's-10']);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(handle.db.update(schema.auditLog).set({ result: 'failure' }).where(eq(schema.auditLog.target, 's-1'))).rejects.toThrow();
    await expect(handle.db.delete(schema.auditLog).where(eq(schema.auditLog.target, 's-1'))).rejects.toThrow();
    await expect(handle.db.execute(sql`delete from audit_log`)).rejects.toThrow();
    const refusedAsAppendOnly = (error: unknown) => error instanceof Error && String(error.cause).includes('audit_log is append-only');
    await expect(handle.db.execute(sql`truncate table audit_log`)).rejects.toSatisfy(refusedAsAppendOnly);
    await expect(handle.db.execute(sql`truncate table services, audit_log cascade`)).rejects.toSatisfy(refusedAsAppendOnly);
    expect(await handle.db.$count(schema.auditLog)).toBeGreaterThanOrEqual(25);
  });

  it('no procedure can update or delete it: the router has only `list`', () => {
    expect(Object.keys(appRouter._def.procedures).filter((p) => p.startsWith('audit.'))).toEqual(['audit.list']);
  });
});
