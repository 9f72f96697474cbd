import { schema } from '@bastion/db';
import { testEngine } from '@bastion/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { createServiceInput } from '../modules/services/services.schema.js';
import { createService } from '../modules/services/services.service.js';
import { appRouter } from '../root.js';
import { DAY, expectTRPCError, problemOf, useHarness } from '../testing/harness.js';
import { adminPrincipal, apiKeyPrincipal, operatorPrincipal } from '../testing/principals.js';
import { createCallerFactory, createTRPCRouter, procedure, type Context } from '../trpc.js';
import { idempotencyScope, IDEMPOTENCY_KEY_TTL_MS, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-key.js';
import { deleteExpiredIdempotencyKeys } from './idempotent-call.js';

const h = useHarness();

/** What a test procedure does before answering: fail after writing, or wait for a signal. */
const behaviour: { failAfterWrite: boolean; gate?: { entered: () => void; release: Promise<void> } } = { failAfterWrite: false };

/** A mutation whose effect is a service row, so "done once" can be counted. */
const testRouter = createTRPCRouter({
  addService: procedure
    .meta({ scopes: ['services:write'] })
    .input(z.object({ slug: z.string(), name: z.string().optional() }))
    .output(z.object({ slug: z.string(), name: z.string(), at: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const service = await createService(ctx, createServiceInput.parse({ slug: input.slug, name: input.name ?? input.slug, tier: 'low' }));
      if (behaviour.gate) {
        behaviour.gate.entered();
        await behaviour.gate.release;
      }
      if (behaviour.failAfterWrite) throw new Error('crashed after writing');
      return { slug: service.slug, name: service.name, at: ctx.now().toISOString() };
    }),
  echo: procedure
    .meta({ scopes: ['services:write'] })
    .input(z.object({ slug: z.string() }))
    .output(z.object({ slug: z.string() }))
    .mutation(({ input }) => input),
  peek: procedure
    .meta({ scopes: ['services:read'] })
    .input(z.object({ slug: z.string() }))
    .output(z.number())
    .query(async ({ ctx }) => (await ctx.db.select().from(schema.services)).length),
});

const createTestCaller = createCallerFactory(testRouter);
const createAppCaller = createCallerFactory(appRouter);

interface CallOptions {
  principal?: Principal;
  onReplay?: () => void;
}

function ctxWithKey(key: string, options: CallOptions = {}): Context {
  return {
    db: h.db,
    now: h.clock.now,
    principal: options.principal ?? adminPrincipal,
    idempotencyKey: { value: key, ...(options.onReplay ? { onReplay: options.onReplay } : {}) },
  };
}

const withKey = (key: string, options?: CallOptions) => createTestCaller(ctxWithKey(key, options));
const services = () => h.db.select().from(schema.services);
const keyRows = () => h.db.select().from(schema.idempotencyKeys);

describe('Idempotency-Key on mutations', () => {
  it('replays the first answer for a retry with the same key and input, doing the work once', async () => {
    h.clock.set(new Date('2025-06-01T12:00:00.000Z'));
    const first = await withKey('key-1').addService({ slug: 'once' });
    h.clock.advance(5_000);
    let replays = 0;
    const second = await withKey('key-1', { onReplay: () => replays++ }).addService({ slug: 'once' });
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(replays).toBe(1);
    expect(await services()).toHaveLength(1);
    expect(await keyRows()).toEqual([
      expect.objectContaining({ principal: `user:${adminPrincipal.id}`, key: 'key-1', procedure: 'addService' }),
    ]);
  });

  it('treats the same JSON with its keys in another order as the same request', async () => {
    const first = await withKey('ordered').addService({ slug: 'order', name: 'Order' });
    const input = JSON.parse('{"name":"Order","slug":"order"}') as { slug: string; name: string };
    expect(await withKey('ordered').addService(input)).toEqual(first);
    expect(await services()).toHaveLength(1);
  });

  it('accepts the draft’s quoted structured-field form as the same key', async () => {
    await withKey('abc-123').addService({ slug: 'quoted' });
    let replayed = false;
    await withKey('"abc-123"', { onReplay: () => (replayed = true) }).addService({ slug: 'quoted' });
    expect(replayed).toBe(true);
    expect(await services()).toHaveLength(1);
  });

  it('answers 422 idempotency-key-mismatch when the key is reused with another input or procedure', async () => {
    await withKey('reused').addService({ slug: 'first' });
    const otherBody = await expectTRPCError(withKey('reused').addService({ slug: 'second' }), 'UNPROCESSABLE_CONTENT');
    expect(problemOf(otherBody).type).toBe('idempotency-key-mismatch');
    const otherProcedure = await expectTRPCError(withKey('reused').echo({ slug: 'first' }), 'UNPROCESSABLE_CONTENT');
    expect(problemOf(otherProcedure).type).toBe('idempotency-key-mismatch');
    expect((await services()).map((s) => s.slug)).toEqual(['first']);
  });

  it('scopes keys to their principal: two callers using one key do not collide', async () => {
    const operatorKey = apiKeyPrincipal(['services:write']);
    const mine = await withKey('shared').addService({ slug: 'admins' });
    const theirs = await withKey('shared', { principal: operatorPrincipal }).addService({ slug: 'operators' });
    const keys = await withKey('shared', { principal: operatorKey }).addService({ slug: 'keys' });
    expect([mine.slug, theirs.slug, keys.slug]).toEqual(['admins', 'operators', 'keys']);
    expect(await services()).toHaveLength(3);
    // Each replays its own answer.
    expect(await withKey('shared', { principal: operatorPrincipal }).addService({ slug: 'operators' })).toEqual(theirs);
    expect((await keyRows()).map((r) => r.principal).sort()).toEqual(
      [idempotencyScope(adminPrincipal), idempotencyScope(operatorPrincipal), idempotencyScope(operatorKey)].sort(),
    );
  });

  it('rolls back the work and the key when the procedure fails midway, so a retry does the work once', async () => {
    behaviour.failAfterWrite = true;
    try {
      await expectTRPCError(withKey('crash').addService({ slug: 'half-done' }), 'INTERNAL_SERVER_ERROR');
    } finally {
      behaviour.failAfterWrite = false;
    }
    expect(await services()).toHaveLength(0);
    expect(await keyRows()).toHaveLength(0);

    const retried = await withKey('crash').addService({ slug: 'half-done' });
    expect(retried.slug).toBe('half-done');
    expect(await withKey('crash').addService({ slug: 'half-done' })).toEqual(retried);
    expect(await services()).toHaveLength(1);
    expect(await keyRows()).toHaveLength(1);
  });

  it('keeps no key for a call refused by validation or a domain error', async () => {
    await withKey('taken').addService({ slug: 'dupe' });
    await expectTRPCError(withKey('other').addService({ slug: 'dupe' }), 'CONFLICT');
    expect((await keyRows()).map((r) => r.key)).toEqual(['taken']);
  });

  it('answers 409 idempotency-key-in-use to a duplicate while the first call is still running', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    behaviour.gate = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    try {
      const first = withKey('busy').addService({ slug: 'slow' });
      await inside;
      // On PGlite the duplicate's audit row waits for the first call's transaction, so it settles after the release.
      const duplicate = expectTRPCError(withKey('busy').addService({ slug: 'slow' }), 'CONFLICT');
      behaviour.gate = undefined;
      release();
      await first;
      expect(problemOf(await duplicate).type).toBe('idempotency-key-in-use');
    } finally {
      behaviour.gate = undefined;
    }
    expect(await services()).toHaveLength(1);
    // Once it has finished, the same request gets the stored answer.
    let replayed = false;
    await withKey('busy', { onReplay: () => (replayed = true) }).addService({ slug: 'slow' });
    expect(replayed).toBe(true);
  });

  it.runIf(testEngine() === 'postgres')('answers 409 while another instance holds the key (its transaction-scoped lock)', async () => {
    const lockName = `${idempotencyScope(adminPrincipal)} other-instance`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // A second connection stands in for another server instance mid-call.
    const otherInstance = h.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lockName}, 0))`);
      locked();
      await held;
    });
    await isLocked;
    try {
      const error = await expectTRPCError(withKey('other-instance').addService({ slug: 'elsewhere' }), 'CONFLICT');
      expect(problemOf(error).type).toBe('idempotency-key-in-use');
    } finally {
      release();
      await otherInstance;
    }
    expect(await services()).toHaveLength(0);
    // The lock ended with the other transaction: the key is free.
    await withKey('other-instance').addService({ slug: 'elsewhere' });
    expect(await services()).toHaveLength(1);
  });

  it('keeps a key for 24 hours, then lets it be used afresh', async () => {
    const first = await withKey('daily').addService({ slug: 'day-one' });
    h.clock.advance(IDEMPOTENCY_KEY_TTL_MS - 1);
    expect(await withKey('daily').addService({ slug: 'day-one' })).toEqual(first);
    h.clock.advance(1);
    // Expired: the key is free again, even for another request, and its old row is replaced.
    const next = await withKey('daily').addService({ slug: 'day-two' });
    expect(next.slug).toBe('day-two');
    expect(await services()).toHaveLength(2);
    expect(await keyRows()).toEqual([expect.objectContaining({ key: 'daily', expiresAt: new Date(h.clock.now().getTime() + DAY) })]);
  });

  it('deletes expired keys and keeps the others', async () => {
    await withKey('old').addService({ slug: 'old' });
    h.clock.advance(DAY / 2);
    await withKey('new').addService({ slug: 'new' });
    h.clock.advance(DAY / 2);
    expect(await deleteExpiredIdempotencyKeys(h.deps)).toBe(1);
    expect((await keyRows()).map((r) => r.key)).toEqual(['new']);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)],
    ['with a space', 'two words'],
    ['not ASCII', 'clé'],
    ['with a control character', 'a\u0001b'],
    ['two headers joined', 'a, b'],
  ])('answers 400 idempotency-key-invalid for a key that is %s', async (_name, key) => {
    const error = await expectTRPCError(withKey(key).addService({ slug: 'never' }), 'BAD_REQUEST');
    expect(problemOf(error).type).toBe('idempotency-key-invalid');
    expect(await services()).toHaveLength(0);
  });

  it('accepts a key of the maximum length', async () => {
    await withKey('k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH)).addService({ slug: 'long-key' });
    expect(await keyRows()).toHaveLength(1);
  });

  it('refuses a key on mutations whose answer holds a secret, and from anonymous callers', async () => {
    const appCaller = createAppCaller(ctxWithKey('secret'));
    const error = await expectTRPCError(appCaller.apiKeys.create({ name: 'ci', scopes: ['services:read'] }), 'BAD_REQUEST');
    expect(problemOf(error).type).toBe('idempotency-key-invalid');
    expect(error.message).toContain('apiKeys.create does not accept an Idempotency-Key');
    const anonymous = createAppCaller({ db: h.db, now: h.clock.now, idempotencyKey: { value: 'anon' } });
    await expectTRPCError(anonymous.auth.login({ email: 'nobody@bastion.test', password: 'x'.repeat(12) }), 'BAD_REQUEST');
    expect(await keyRows()).toHaveLength(0);
  });

  it('ignores the header on queries', async () => {
    expect(await withKey('query').peek({ slug: 'x' })).toBe(0);
    expect(await withKey('query').peek({ slug: 'y' })).toBe(0);
    expect(await keyRows()).toHaveLength(0);
  });

  it('works on the real router: one service, one audit row per call, the replay marked as such', async () => {
    const caller = createAppCaller(ctxWithKey('app-1'));
    const input = { slug: 'real-one', name: 'Real', tier: 'high' as const };
    const created = await caller.services.create(input);
    expect(await caller.services.create(input)).toEqual(created);
    expect(await services()).toHaveLength(1);
    const audit = await h.db.select().from(schema.auditLog).where(sql`action = 'services.create'`);
    expect(audit.map((row) => row.result)).toEqual(['success', 'success']);
    expect(audit.map((row) => row.detail?.idempotentReplay === true).sort()).toEqual([false, true]);
  });

  it('commits a heartbeat, its success row and its key together; the replay gets a row of its own', async () => {
    await createAppCaller({ db: h.db, now: h.clock.now, principal: adminPrincipal }).services.create({ slug: 'beating', name: 'Beating', tier: 'low' });
    const caller = createAppCaller(ctxWithKey('beat-1'));
    const input = { slug: 'beating', status: 'up' as const };
    const heartbeat = await caller.heartbeats.create(input);
    expect(await caller.heartbeats.create(input)).toEqual(heartbeat);
    expect(await h.db.select().from(schema.heartbeats)).toHaveLength(1);
    const audit = await h.db.select().from(schema.auditLog).where(sql`action = 'heartbeats.create'`);
    expect(audit.map((row) => [row.result, row.target, row.detail?.idempotentReplay === true]).sort()).toEqual([
      ['success', 'beating', false],
      ['success', 'beating', true],
    ]);
    const ghost = { slug: 'ghost', status: 'down' as const };
    await expect(createAppCaller(ctxWithKey('beat-2')).heartbeats.create(ghost)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.db.select().from(schema.auditLog).where(sql`target = 'ghost'`)).map((row) => row.result)).toEqual(['failure']);
  });
});
