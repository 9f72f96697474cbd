import { schema } from '@bastion/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../auth/principal.js';
import { appRouter } from '../../root.js';
import { expectTRPCError, problemOf, pointersOf, useHarness } from '../../testing/harness.js';
import { adminPrincipal, apiKeyPrincipal, operatorPrincipal, seedTestUsers, viewerPrincipal } from '../../testing/principals.js';
import { createCallerFactory, type Context } from '../../trpc.js';
import { defaultRateLimits, procedureCatalogue } from './controls.rules.js';
import { ControlsRuntime } from './controls.runtime.js';

const h = useHarness();
const createCaller = createCallerFactory(appRouter);
const catalogue = procedureCatalogue(appRouter);
const defaults = defaultRateLimits({ anonymousPerMinute: 1000, principalPerMinute: 1000 });

let runtime: ControlsRuntime;
/** Headers the controls wrote for the last call, as the server would put them on the response. */
let headers: Map<string, string>;

beforeEach(async () => {
  // A poll far slower than any test: every change here must apply through `changed()`.
  runtime = await ControlsRuntime.start({ db: h.db, catalogue, defaults, pollIntervalMs: 600_000 });
  headers = new Map();
});
afterEach(async () => {
  await runtime.close();
});

function callerAs(principal: Principal | undefined, extra: Partial<Context> = {}) {
  return createCaller({
    db: h.db,
    now: h.clock.now,
    controls: runtime,
    responseHeaders: { set: (name, value) => headers.set(name, value) },
    ...(principal ? { principal } : {}),
    ...extra,
  });
}

const operator = () => callerAs(operatorPrincipal);

describe('kill switches', () => {
  it('switch a module off: its calls answer 503 module-disabled with Retry-After; other modules keep working', async () => {
    await operator().controls.switches.set({ target: 'incidents', state: 'off', reason: 'under attack', retryAfterSeconds: 90 });
    const error = await expectTRPCError(callerAs(viewerPrincipal).incidents.list({}), 'SERVICE_UNAVAILABLE');
    expect(problemOf(error).type).toBe('module-disabled');
    expect(problemOf(error).headers['retry-after']).toBe('90');
    expect(error.message).toContain('under attack');
    await expectTRPCError(callerAs(adminPrincipal).incidents.create({} as never), 'SERVICE_UNAVAILABLE');
    await expect(callerAs(viewerPrincipal).services.list({})).resolves.toMatchObject({ items: [] });
  });

  it('switch one procedure off: the rest of its module answers', async () => {
    await operator().controls.switches.set({ target: 'incidents.create', state: 'off', retryAfterSeconds: 120 });
    const error = await expectTRPCError(callerAs(adminPrincipal).incidents.create({} as never), 'SERVICE_UNAVAILABLE');
    expect(problemOf(error).type).toBe('module-disabled');
    await expect(callerAs(viewerPrincipal).incidents.list({})).resolves.toMatchObject({ items: [] });
  });

  it('removing the switch brings the module back', async () => {
    await operator().controls.switches.set({ target: 'incidents', state: 'off', retryAfterSeconds: 120 });
    await operator().controls.switches.delete({ target: 'incidents' });
    await expect(callerAs(viewerPrincipal).incidents.list({})).resolves.toMatchObject({ items: [] });
    await expectTRPCError(operator().controls.switches.delete({ target: 'incidents' }), 'NOT_FOUND');
  });

  it.each([
    ['auth', 'off'],
    ['auth.login', 'off'],
    ['status', 'off'],
    ['status.get', 'read-only'],
    ['controls', 'off'],
    ['controls.switches.set', 'read-only'],
    ['*', 'off'],
  ] as const)('refuses a switch on %s (%s) with 422, storing nothing', async (target, state) => {
    const error = await expectTRPCError(operator().controls.switches.set({ target, state, retryAfterSeconds: 60 }), 'UNPROCESSABLE_CONTENT');
    expect(pointersOf(error)).toEqual(['/target']);
    expect(await h.db.select().from(schema.controlSwitches)).toEqual([]);
  });

  it.each(['nope', 'incidents.nope'])('answers 404 for a switch on %s, which names nothing', async (target) => {
    await expectTRPCError(operator().controls.switches.set({ target, state: 'off', retryAfterSeconds: 60 }), 'NOT_FOUND');
  });

  it('the controls stay reachable and writable under a read-only API', async () => {
    await operator().controls.switches.set({ target: '*', state: 'read-only', retryAfterSeconds: 60 });
    await operator().controls.switches.set({ target: 'incidents', state: 'off', retryAfterSeconds: 60 });
    await expect(operator().controls.get()).resolves.toMatchObject({ switches: [{ target: '*' }, { target: 'incidents' }] });
    await expect(callerAs(undefined).status.get()).resolves.toBeDefined();
  });
});

describe('read-only mode', () => {
  it('whole API: queries work, mutations answer 503 read-only; sign-out (auth) still works', async () => {
    await operator().controls.switches.set({ target: '*', state: 'read-only', reason: 'migrating', retryAfterSeconds: 30 });
    await expect(callerAs(viewerPrincipal).services.list({})).resolves.toMatchObject({ items: [] });
    const error = await expectTRPCError(
      callerAs(adminPrincipal).services.create({ slug: 'api', name: 'API', tier: 'high', ownerTeam: 'core' } as never),
      'SERVICE_UNAVAILABLE',
    );
    expect(problemOf(error).type).toBe('read-only');
    expect(problemOf(error).headers['retry-after']).toBe('30');
    await expect(callerAs(undefined).auth.logout()).resolves.toBeUndefined();
  });

  it('one module: only its mutations are refused', async () => {
    await operator().controls.switches.set({ target: 'services', state: 'read-only', retryAfterSeconds: 30 });
    await expectTRPCError(callerAs(adminPrincipal).services.create({ slug: 'api', name: 'API', tier: 'high', ownerTeam: 'core' } as never), 'SERVICE_UNAVAILABLE');
    await expect(callerAs(viewerPrincipal).services.list({})).resolves.toMatchObject({ items: [] });
    // Another module's mutation goes ahead (and fails on its own terms: its input).
    await expectTRPCError(callerAs(adminPrincipal).incidents.updates.create({} as never), 'BAD_REQUEST');
  });

  it('a kill switch beats read-only', async () => {
    await operator().controls.switches.set({ target: '*', state: 'read-only', retryAfterSeconds: 30 });
    await operator().controls.switches.set({ target: 'incidents', state: 'off', retryAfterSeconds: 30 });
    const error = await expectTRPCError(callerAs(viewerPrincipal).incidents.list({}), 'SERVICE_UNAVAILABLE');
    expect(problemOf(error).type).toBe('module-disabled');
  });
});

describe('who changed what', () => {
  it('every change writes an audit row with actor, action, target and result; controls.get lists them', async () => {
    // Later than every other test's rows: the audit log outlives truncateAll, and recentChanges is newest first.
    h.clock.advance(365 * 24 * 3600_000);
    await operator().controls.switches.set({ target: 'incidents', state: 'off', reason: 'flood', retryAfterSeconds: 60 });
    h.clock.advance(1_000);
    await expectTRPCError(operator().controls.switches.set({ target: 'auth', state: 'off', retryAfterSeconds: 60 }), 'UNPROCESSABLE_CONTENT');
    h.clock.advance(1_000);
    await expectTRPCError(callerAs(viewerPrincipal).controls.switches.set({ target: 'incidents', state: 'off', retryAfterSeconds: 60 }), 'FORBIDDEN');
    const rows = await h.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'controls.switches.set'));
    expect(rows.map((r) => [r.actorId, r.target, r.result])).toEqual(
      expect.arrayContaining([
        [operatorPrincipal.id, 'incidents', 'success'],
        [operatorPrincipal.id, 'auth', 'failure'],
        [viewerPrincipal.id, 'incidents', 'denied'],
      ]),
    );
    const controls = await operator().controls.get();
    expect(controls.switches).toEqual([
      expect.objectContaining({ target: 'incidents', state: 'off', reason: 'flood', changedBy: { kind: 'user', id: operatorPrincipal.id, label: operatorPrincipal.email } }),
    ]);
    expect(controls.recentChanges.slice(0, 3).map((c) => c.result)).toEqual(['denied', 'failure', 'success']);
    expect(controls.recentChanges[2]).toMatchObject({ action: 'controls.switches.set', target: 'incidents', detail: { state: 'off', reason: 'flood' } });
  });

  it('reading needs controls:read, changing controls:write', async () => {
    await expectTRPCError(callerAs(viewerPrincipal).controls.get(), 'FORBIDDEN');
    await expectTRPCError(callerAs(apiKeyPrincipal(['controls:read'])).controls.switches.delete({ target: 'incidents' }), 'FORBIDDEN');
    await expect(callerAs(apiKeyPrincipal(['controls:read'])).controls.get()).resolves.toMatchObject({ alwaysOn: ['auth', 'status', 'controls'] });
  });
});

describe('persistence', () => {
  it('a new runtime on the same database (a restart) enforces what was stored', async () => {
    await operator().controls.switches.set({ target: 'incidents', state: 'off', retryAfterSeconds: 60 });
    await operator().controls.rateLimits.set({ anonymous: { read: 5, write: 5, auth: 5 }, principal: { read: 7, write: 7, auth: 7 } });
    await runtime.close();
    runtime = await ControlsRuntime.start({ db: h.db, catalogue, defaults, pollIntervalMs: 600_000 });
    await expectTRPCError(callerAs(viewerPrincipal).incidents.list({}), 'SERVICE_UNAVAILABLE');
    expect(runtime.snapshot.rateLimits.principal.read).toBe(7);
  });
});

describe('rate limits', () => {
  const limits = (read: number) => ({ anonymous: { read, write: 100, auth: 100 }, principal: { read, write: 100, auth: 100 } });

  it('over the limit: 429 rate-limited with Retry-After and RateLimit headers; under it, the headers too', async () => {
    await operator().controls.rateLimits.set(limits(2));
    const viewer = callerAs(viewerPrincipal);
    await viewer.services.list({});
    expect(headers.get('ratelimit-policy')).toBe('"principal-read";q=2;w=60');
    expect(headers.get('ratelimit')).toMatch(/^"principal-read";r=1;t=\d+$/);
    await viewer.services.list({});
    expect(headers.get('ratelimit')).toMatch(/^"principal-read";r=0;t=\d+$/);
    const error = await expectTRPCError(viewer.services.list({}), 'TOO_MANY_REQUESTS');
    expect(problemOf(error).type).toBe('rate-limited');
    expect(Number(problemOf(error).headers['retry-after'])).toBeGreaterThan(0);
    expect(problemOf(error).headers.ratelimit).toMatch(/r=0;/);
    // Another principal has its own budget; writes are another class.
    await expect(callerAs(adminPrincipal).services.list({})).resolves.toBeDefined();
    await expectTRPCError(viewer.services.create({} as never), 'FORBIDDEN');
  });

  it('a live change applies to the running window', async () => {
    await operator().controls.rateLimits.set(limits(1));
    const viewer = callerAs(viewerPrincipal);
    await viewer.services.list({});
    await expectTRPCError(viewer.services.list({}), 'TOO_MANY_REQUESTS');
    await operator().controls.rateLimits.set(limits(10));
    await expect(viewer.services.list({})).resolves.toBeDefined();
    expect(headers.get('ratelimit-policy')).toBe('"principal-read";q=10;w=60');
  });

  it('anonymous callers are counted per address; 0 means unlimited', async () => {
    await operator().controls.rateLimits.set(limits(1));
    await callerAs(undefined, { ip: '198.51.100.1' }).status.get();
    await expectTRPCError(callerAs(undefined, { ip: '198.51.100.1' }).status.get(), 'TOO_MANY_REQUESTS');
    await expect(callerAs(undefined, { ip: '198.51.100.2' }).status.get()).resolves.toBeDefined();
    await operator().controls.rateLimits.set(limits(0));
    headers.clear();
    await expect(callerAs(undefined, { ip: '198.51.100.1' }).status.get()).resolves.toBeDefined();
    expect(headers.has('ratelimit')).toBe(false);
  });

  it('operators reach the controls whatever the limits, to undo them', async () => {
    await operator().controls.rateLimits.set(limits(1));
    await operator().controls.get();
    await operator().controls.get();
    await expect(operator().controls.rateLimits.reset()).resolves.toBeUndefined();
    expect(runtime.snapshot.rateLimits).toEqual(defaults);
    await expect(operator().controls.get()).resolves.toMatchObject({ rateLimits: { source: 'defaults', changedBy: { id: operatorPrincipal.id } } });
  });
});

describe('per-target rate limits', () => {
  it('throttles one module per caller: 429 naming the target policy; other modules and other callers unaffected', async () => {
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 2, reason: 'flood' });
    const viewer = callerAs(viewerPrincipal);
    await viewer.incidents.list({});
    expect(headers.get('ratelimit-policy')).toBe('"principal-read";q=1000;w=60, "target-incidents";q=2;w=60');
    expect(headers.get('ratelimit')).toMatch(/^"principal-read";r=999;t=\d+, "target-incidents";r=1;t=\d+$/);
    // Every procedure of the module spends the same budget.
    await expect(viewer.incidents.get({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const error = await expectTRPCError(viewer.incidents.list({}), 'TOO_MANY_REQUESTS');
    expect(problemOf(error).type).toBe('rate-limited');
    expect(error.message).toContain('`incidents`');
    expect(error.message).toContain('flood');
    expect(Number(problemOf(error).headers['retry-after'])).toBeGreaterThan(0);
    expect(problemOf(error).headers['ratelimit-policy']).toContain('"target-incidents";q=2;w=60');
    // The class budget is far from spent, so services answer; another caller has its own budget.
    headers.clear();
    await expect(viewer.services.list({})).resolves.toBeDefined();
    expect(headers.get('ratelimit-policy')).toBe('"principal-read";q=1000;w=60');
    await expect(callerAs(adminPrincipal).incidents.list({})).resolves.toBeDefined();
  });

  it('a procedure limit leaves the rest of its module alone; both a module and a procedure limit must pass', async () => {
    await operator().controls.targetLimits.set({ target: 'incidents.list', perMinute: 1 });
    const viewer = callerAs(viewerPrincipal);
    await viewer.incidents.list({});
    await expectTRPCError(viewer.incidents.list({}), 'TOO_MANY_REQUESTS');
    await expect(viewer.incidents.get({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 5 });
    const admin = callerAs(adminPrincipal);
    await admin.incidents.list({});
    expect(headers.get('ratelimit-policy')).toBe('"principal-read";q=1000;w=60, "target-incidents.list";q=1;w=60, "target-incidents";q=5;w=60');
  });

  it('applies on top of an unlimited class, anonymous callers counted per address', async () => {
    await operator().controls.rateLimits.set({ anonymous: { read: 0, write: 0, auth: 0 }, principal: { read: 0, write: 0, auth: 0 } });
    await operator().controls.targetLimits.set({ target: 'services.list', perMinute: 1 });
    await expect(callerAs(undefined, { ip: '198.51.100.9' }).services.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expectTRPCError(callerAs(undefined, { ip: '198.51.100.9' }).services.list({}), 'TOO_MANY_REQUESTS');
    expect(headers.get('ratelimit-policy')).toBe('"target-services.list";q=1;w=60');
    await expect(callerAs(undefined, { ip: '198.51.100.10' }).services.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a live change applies to the running window; removing the limit lifts it', async () => {
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 1 });
    const viewer = callerAs(viewerPrincipal);
    await viewer.incidents.list({});
    await expectTRPCError(viewer.incidents.list({}), 'TOO_MANY_REQUESTS');
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 10 });
    await expect(viewer.incidents.list({})).resolves.toBeDefined();
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 1 });
    await expectTRPCError(viewer.incidents.list({}), 'TOO_MANY_REQUESTS');
    await operator().controls.targetLimits.delete({ target: 'incidents' });
    await expect(viewer.incidents.list({})).resolves.toBeDefined();
    await expectTRPCError(operator().controls.targetLimits.delete({ target: 'incidents' }), 'NOT_FOUND');
  });

  it.each(['*', 'auth', 'auth.login', 'status', 'controls', 'controls.get'])('refuses a limit on %s with 422, storing nothing', async (target) => {
    const error = await expectTRPCError(operator().controls.targetLimits.set({ target, perMinute: 1 }), 'UNPROCESSABLE_CONTENT');
    expect(pointersOf(error)).toEqual(['/target']);
    expect(await h.db.select().from(schema.controlTargetLimits)).toEqual([]);
  });

  it('answers 404 for a target that names nothing, and 400 for a limit below 1', async () => {
    await expectTRPCError(operator().controls.targetLimits.set({ target: 'incidents.nope', perMinute: 5 }), 'NOT_FOUND');
    await expectTRPCError(operator().controls.targetLimits.set({ target: 'incidents', perMinute: 0 }), 'BAD_REQUEST');
  });

  it('is audited, shown by controls.get, needs controls:write, and survives a restart', async () => {
    // Later than every other test's rows (one test moves a year ahead): the audit log outlives truncateAll.
    h.clock.advance(2 * 365 * 24 * 3600_000);
    await operator().controls.targetLimits.set({ target: 'incidents', perMinute: 3, reason: 'stolen key' });
    // The test clock stands still: without a step, both rows share a timestamp and their order is the ids'.
    h.clock.advance(1_000);
    await expectTRPCError(callerAs(apiKeyPrincipal(['controls:read'])).controls.targetLimits.set({ target: 'services', perMinute: 3 }), 'FORBIDDEN');
    const controls = await operator().controls.get();
    expect(controls.targetLimits).toEqual([
      expect.objectContaining({ target: 'incidents', perMinute: 3, reason: 'stolen key', changedBy: { kind: 'user', id: operatorPrincipal.id, label: operatorPrincipal.email } }),
    ]);
    expect(controls.recentChanges.slice(0, 2).map((c) => [c.action, c.target, c.result])).toEqual([
      ['controls.targetLimits.set', 'services', 'denied'],
      ['controls.targetLimits.set', 'incidents', 'success'],
    ]);
    expect(controls.recentChanges[1]).toMatchObject({ detail: { perMinute: 3, reason: 'stolen key' } });
    await runtime.close();
    runtime = await ControlsRuntime.start({ db: h.db, catalogue, defaults, pollIntervalMs: 600_000 });
    expect(runtime.snapshot.targetLimits.get('incidents')).toEqual({ target: 'incidents', perMinute: 3, reason: 'stolen key' });
  });
});

describe('block list', () => {
  it('blocks an API key at once (403 blocked); lifting it lets the key back in', async () => {
    const users = await seedTestUsers(h.db);
    // The entry must name a real key: the principal is the seeded viewer's key.
    const stolen = { ...apiKeyPrincipal(['services:read'], 'stolen'), id: users.viewer.apiKeyId, ownerId: users.viewer.id };
    const block = await operator().controls.blocks.create({ kind: 'apiKey', value: stolen.id, reason: 'leaked on a paste site' });
    const error = await expectTRPCError(callerAs(stolen).services.list({}), 'FORBIDDEN');
    expect(problemOf(error).type).toBe('blocked');
    expect(error.message).toContain('leaked on a paste site');
    await expect(callerAs(viewerPrincipal).services.list({})).resolves.toBeDefined();
    await operator().controls.blocks.delete({ id: block.id });
    await expect(callerAs(stolen).services.list({})).resolves.toBeDefined();
  });

  it('blocking a user blocks the keys they own', async () => {
    const users = await seedTestUsers(h.db);
    await operator().controls.blocks.create({ kind: 'user', value: users.viewer.id });
    const key = { ...apiKeyPrincipal(['services:read']), id: users.viewer.apiKeyId, ownerId: users.viewer.id };
    await expectTRPCError(callerAs(key).services.list({}), 'FORBIDDEN');
  });

  it('blocks an address range (CIDR), IPv4-mapped IPv6 addresses included, even for public procedures', async () => {
    const block = await operator().controls.blocks.create({ kind: 'ip', value: '203.0.113.77/24' });
    expect(block.value).toBe('203.0.113.0/24');
    await expectTRPCError(callerAs(undefined, { ip: '203.0.113.5' }).status.get(), 'FORBIDDEN');
    await expectTRPCError(callerAs(undefined, { ip: '::ffff:203.0.113.200' }).status.get(), 'FORBIDDEN');
    await expect(callerAs(undefined, { ip: '203.0.114.1' }).status.get()).resolves.toBeDefined();
  });

  it('an expired entry no longer blocks', async () => {
    await operator().controls.blocks.create({ kind: 'ip', value: '192.0.2.1', expiresAt: new Date(h.clock.now().getTime() + 60_000).toISOString() });
    await expectTRPCError(callerAs(undefined, { ip: '192.0.2.1' }).status.get(), 'FORBIDDEN');
    h.clock.advance(61_000);
    await expect(callerAs(undefined, { ip: '192.0.2.1' }).status.get()).resolves.toBeDefined();
  });

  it.each([
    [{ kind: 'ip', value: '300.1.1.1' }],
    [{ kind: 'ip', value: '10.0.0.0/33' }],
    [{ kind: 'apiKey', value: '00000000-0000-4000-8000-000000000000' }],
    [{ kind: 'user', value: 'not-an-id' }],
  ] as const)('refuses %j with 422 on /value', async (input) => {
    const error = await expectTRPCError(operator().controls.blocks.create(input), 'UNPROCESSABLE_CONTENT');
    expect(pointersOf(error)).toEqual(['/value']);
  });

  it('refuses to block the caller itself, and a duplicate', async () => {
    const me = callerAs(operatorPrincipal, { ip: '10.1.2.3' });
    await expectTRPCError(me.controls.blocks.create({ kind: 'ip', value: '10.0.0.0/8' }), 'UNPROCESSABLE_CONTENT');
    await me.controls.blocks.create({ kind: 'ip', value: '172.16.0.0/12' });
    await expectTRPCError(me.controls.blocks.create({ kind: 'ip', value: '172.16.9.9/12' }), 'CONFLICT');
  });
});

describe('without a runtime', () => {
  it('in-process callers without ctx.controls are not held up by stored controls', async () => {
    await operator().controls.switches.set({ target: 'services', state: 'off', retryAfterSeconds: 60 });
    const plain = createCaller({ db: h.db, now: h.clock.now, principal: viewerPrincipal });
    await expect(plain.services.list({})).resolves.toBeDefined();
    await expectTRPCError(plain.controls.get(), 'FORBIDDEN');
  });
});
