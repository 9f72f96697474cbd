import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appRouter } from './root.js';
import { adminPrincipal, asAdmin, asViewer } from './testing/principals.js';
import { createCallerFactory } from './trpc.js';

let handle: DatabaseHandle;
const now = new Date('2025-06-01T12:00:00Z');
const createCaller = createCallerFactory(appRouter);
const rows = () => handle.db.select().from(schema.auditLog);

// The log is append-only (even TRUNCATE is refused), so each test starts on a database of its own.
beforeEach(async () => {
  handle = await openTestDatabase();
});
afterEach(async () => {
  await handle.close();
});

describe('the audit middleware', () => {
  it('writes exactly one row per successful mutation: who, what, target, result, request id, IP, time', async () => {
    await createCaller(asAdmin({ db: handle.db, now: () => now, requestId: 'req-1', ip: '192.0.2.1' })).services.create({ slug: 'audited', name: 'A', tier: 'low' });
    expect(await rows()).toEqual([
      expect.objectContaining({
        actorKind: 'user',
        actorId: adminPrincipal.id,
        actorLabel: adminPrincipal.email,
        action: 'services.create',
        target: 'audited',
        result: 'success',
        requestId: 'req-1',
        ip: '192.0.2.1',
        at: now,
      }),
    ]);
  });

  it('records a failed mutation with its error code, and a refused one as denied', async () => {
    const admin = createCaller(asAdmin({ db: handle.db, now: () => now }));
    await admin.services.create({ slug: 'audited', name: 'A', tier: 'low' });
    await expect(admin.services.create({ slug: 'audited', name: 'A', tier: 'low' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(createCaller(asViewer({ db: handle.db, now: () => now })).services.delete({ slug: 'audited' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createCaller({ db: handle.db, now: () => now }).incidents.create({ title: 't', severity: 'sev1', serviceSlugs: ['audited'], message: 'm' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const written = await rows();
    expect(written.map((r) => [r.action, r.result, r.actorKind, (r.detail as { error?: string } | null)?.error])).toEqual([
      ['services.create', 'success', 'user', undefined],
      ['services.create', 'failure', 'user', 'CONFLICT'],
      ['services.delete', 'denied', 'user', 'FORBIDDEN'],
      ['incidents.create', 'denied', 'anonymous', 'UNAUTHORIZED'],
    ]);
  });

  it('writes nothing for queries', async () => {
    await createCaller(asAdmin({ db: handle.db, now: () => now })).services.list({});
    expect(await rows()).toEqual([]);
  });
});
