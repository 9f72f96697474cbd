import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from './root.js';
import { adminPrincipal, asAdmin, asViewer } from './testing/principals.js';
import { createCallerFactory, createTRPCRouter, procedure } from './trpc.js';

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

  it('lets a mutation write its success row with its work: the same row, written once, and none if the work is not done', async () => {
    const admin = createCaller(asAdmin({ db: handle.db, now: () => now, requestId: 'req-2', ip: '192.0.2.2' }));
    await admin.services.create({ slug: 'monitored', name: 'M', tier: 'low' });
    const heartbeat = await admin.heartbeats.create({ slug: 'monitored', status: 'up' });
    await expect(admin.heartbeats.create({ slug: 'ghost', status: 'down' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const written = (await rows()).filter((row) => row.action === 'heartbeats.create');
    expect(written).toEqual([
      expect.objectContaining({ actorId: adminPrincipal.id, target: 'monitored', result: 'success', requestId: 'req-2', ip: '192.0.2.2', at: now, detail: null }),
      expect.objectContaining({ target: 'ghost', result: 'failure', detail: { error: 'NOT_FOUND' } }),
    ]);
    const [stored] = await handle.db.select().from(schema.heartbeats);
    expect(stored?.id).toBe(heartbeat.id);
  });

  it('writes the failure row for a mutation that took its success row and then failed', async () => {
    const router = createTRPCRouter({
      halfDone: procedure
        .meta({ scopes: ['services:write'] })
        .input(z.object({ slug: z.string() }))
        .output(z.object({ slug: z.string() }))
        .mutation(({ ctx, input }) => {
          ctx.audit.takeSuccessRow(input);
          throw new Error('failed before writing');
        }),
    });
    await expect(createCallerFactory(router)(asAdmin({ db: handle.db, now: () => now })).halfDone({ slug: 'x' })).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
    });
    expect((await rows()).map((r) => [r.action, r.target, r.result])).toEqual([['halfDone', 'x', 'failure']]);
  });
});
