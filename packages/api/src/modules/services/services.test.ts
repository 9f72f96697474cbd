import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, T0, expectTRPCError, pointersOf, problemOf, useHarness, type Caller } from '../../testing/harness.js';
import { loadFleet, type Fleet } from './fleet.js';
import type { CreateServiceInput } from './services.schema.js';

const h = useHarness();

type NewService = Partial<CreateServiceInput> & { slug: string };

function create(caller: Caller, service: NewService) {
  return caller.services.create({ name: service.slug, tier: 'medium', ...service });
}

/** Walks every page of a service list and returns the slugs in the order served. */
async function walkSlugs(caller: Caller, input: Omit<Parameters<Caller['services']['list']>[0], 'cursor'>) {
  const slugs: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await caller.services.list({ ...input, cursor });
    slugs.push(...page.items.map((s) => s.slug));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
    if (pages > 100) throw new Error('pagination does not end');
  } while (cursor);
  return { slugs, pages };
}

describe('services.create', () => {
  it('stores a service with defaults and answers it with a fresh derived status', async () => {
    const service = await h.caller.services.create({ slug: 'payments-api', name: '  Payments API ', tier: 'critical' });
    expect(service).toMatchObject({
      slug: 'payments-api',
      name: 'Payments API',
      description: '',
      owner: '',
      tier: 'critical',
      dependsOn: [],
      heartbeatIntervalSeconds: 60,
      status: 'operational',
      statusReasons: [],
      lastHeartbeatAt: null,
      uptime: { h24: null, d7: null, d30: null },
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    expect(await h.caller.services.get({ slug: 'payments-api' })).toEqual(service);
  });

  it('answers CONFLICT for a slug already taken', async () => {
    await create(h.caller, { slug: 'auth-api' });
    const error = await expectTRPCError(create(h.caller, { slug: 'auth-api', name: 'Other' }), 'CONFLICT');
    expect(error.message).toContain('auth-api');
    expect((await h.caller.services.get({ slug: 'auth-api' })).name).toBe('auth-api');
  });

  it.each(['Payments', 'a', 'double--hyphen', '-leading', 'trailing-', 'under_score', 'x'.repeat(64)])(
    'refuses the slug %j with BAD_REQUEST on /slug',
    async (slug) => {
      const error = await expectTRPCError(create(h.caller, { slug }), 'BAD_REQUEST');
      expect(pointersOf(error)).toEqual(['/slug']);
    },
  );

  it('accepts slugs of 2 and 63 characters', async () => {
    await create(h.caller, { slug: 'ab' });
    await create(h.caller, { slug: 'y'.repeat(63) });
    expect((await h.caller.services.list({})).items.map((s) => s.slug)).toEqual(['ab', 'y'.repeat(63)]);
  });

  it('refuses unknown fields, a bad tier and an out-of-range interval, pointing at each', async () => {
    const error = await expectTRPCError(
      h.caller.services.create({ slug: 'api', name: 'API', tier: 'urgent', heartbeatIntervalSeconds: 1, colour: 'red' } as never),
      'BAD_REQUEST',
    );
    expect(pointersOf(error).sort()).toEqual(['', '/heartbeatIntervalSeconds', '/tier']);
  });

  it('refuses a dependency on an unknown service with 422 on its index', async () => {
    await create(h.caller, { slug: 'auth-api' });
    const error = await expectTRPCError(create(h.caller, { slug: 'web', dependsOn: ['auth-api', 'ghost'] }), 'UNPROCESSABLE_CONTENT');
    expect(problemOf(error).errors).toEqual([{ pointer: '/dependsOn/1', detail: 'No service with slug "ghost".' }]);
    await expectTRPCError(h.caller.services.get({ slug: 'web' }), 'NOT_FOUND');
  });

  it('refuses a dependency on itself as a cycle', async () => {
    const error = await expectTRPCError(create(h.caller, { slug: 'loop', dependsOn: ['loop'] }), 'UNPROCESSABLE_CONTENT');
    const [problem] = problemOf(error).errors;
    expect(problem?.pointer).toBe('/dependsOn/0');
    expect(problem?.detail).toContain('loop → loop');
  });

  it('refuses a dependency listed twice', async () => {
    await create(h.caller, { slug: 'db' });
    const error = await expectTRPCError(create(h.caller, { slug: 'api', dependsOn: ['db', 'db'] }), 'UNPROCESSABLE_CONTENT');
    expect(pointersOf(error)).toEqual(['/dependsOn']);
  });

  it('records dependencies, sorted, and reports them on both ends', async () => {
    await create(h.caller, { slug: 'db' });
    await create(h.caller, { slug: 'cache' });
    const api = await create(h.caller, { slug: 'api', dependsOn: ['db', 'cache'] });
    expect(api.dependsOn).toEqual(['cache', 'db']);
    expect((await h.caller.services.blastRadius({ slug: 'db' })).items.map((i) => i.slug)).toEqual(['api']);
  });
});

describe('services.update', () => {
  it('changes only the fields given and moves updatedAt', async () => {
    await create(h.caller, { slug: 'api', name: 'API', owner: 'team-a', description: 'Does things', tier: 'high' });
    h.clock.advance(HOUR);
    const updated = await h.caller.services.update({ slug: 'api', owner: 'team-b', heartbeatIntervalSeconds: 30 });
    expect(updated).toMatchObject({
      name: 'API',
      description: 'Does things',
      tier: 'high',
      owner: 'team-b',
      heartbeatIntervalSeconds: 30,
      createdAt: T0.toISOString(),
      updatedAt: h.clock.now().toISOString(),
    });
  });

  it('replaces the whole dependency list, and [] clears it', async () => {
    await create(h.caller, { slug: 'db' });
    await create(h.caller, { slug: 'cache' });
    await create(h.caller, { slug: 'api', dependsOn: ['db'] });
    expect((await h.caller.services.update({ slug: 'api', dependsOn: ['cache'] })).dependsOn).toEqual(['cache']);
    expect((await h.caller.services.update({ slug: 'api', name: 'Renamed' })).dependsOn).toEqual(['cache']);
    expect((await h.caller.services.update({ slug: 'api', dependsOn: [] })).dependsOn).toEqual([]);
    await h.caller.services.delete({ slug: 'cache' });
  });

  it('refuses a two-service cycle with 422 naming it', async () => {
    await create(h.caller, { slug: 'aa' });
    await create(h.caller, { slug: 'bb', dependsOn: ['aa'] });
    const error = await expectTRPCError(h.caller.services.update({ slug: 'aa', dependsOn: ['bb'] }), 'UNPROCESSABLE_CONTENT');
    expect(problemOf(error).type).toBe('validation-error');
    expect(problemOf(error).errors).toHaveLength(1);
    expect(problemOf(error).errors[0]?.pointer).toBe('/dependsOn/0');
    expect(error.message).toContain('aa → bb → aa');
  });

  it('refuses a longer cycle, points at the entry that closes it and changes nothing', async () => {
    await create(h.caller, { slug: 'cc' });
    await create(h.caller, { slug: 'bb', dependsOn: ['cc'] });
    await create(h.caller, { slug: 'aa', dependsOn: ['bb'] });
    await create(h.caller, { slug: 'zz' });
    const error = await expectTRPCError(
      h.caller.services.update({ slug: 'cc', dependsOn: ['zz', 'aa'], name: 'Not applied' }),
      'UNPROCESSABLE_CONTENT',
    );
    expect(problemOf(error).errors.map((e) => e.pointer)).toEqual(['/dependsOn/1']);
    expect(problemOf(error).errors[0]?.detail).toContain('cc → aa → bb → cc');
    expect(await h.caller.services.get({ slug: 'cc' })).toMatchObject({ dependsOn: [], name: 'cc' });
  });

  it('accepts a diamond, which is not a cycle', async () => {
    await create(h.caller, { slug: 'db' });
    await create(h.caller, { slug: 'left', dependsOn: ['db'] });
    await create(h.caller, { slug: 'right', dependsOn: ['db'] });
    await create(h.caller, { slug: 'top', dependsOn: ['left'] });
    expect((await h.caller.services.update({ slug: 'top', dependsOn: ['left', 'right'] })).dependsOn).toEqual(['left', 'right']);
  });

  it('answers NOT_FOUND for an unknown slug', async () => {
    await expectTRPCError(h.caller.services.update({ slug: 'ghost', name: 'Ghost' }), 'NOT_FOUND');
  });
});

describe('services.delete', () => {
  it('refuses with CONFLICT naming every dependent, then deletes once they are gone', async () => {
    await create(h.caller, { slug: 'db' });
    await create(h.caller, { slug: 'web', dependsOn: ['db'] });
    await create(h.caller, { slug: 'api', dependsOn: ['db'] });
    const error = await expectTRPCError(h.caller.services.delete({ slug: 'db' }), 'CONFLICT');
    expect(problemOf(error).type).toBe('conflict');
    expect(error.message).toBe('Cannot delete "db": api, web depend on it.');

    await h.caller.services.delete({ slug: 'web' });
    const single = await expectTRPCError(h.caller.services.delete({ slug: 'db' }), 'CONFLICT');
    expect(single.message).toBe('Cannot delete "db": api depends on it.');

    await h.caller.services.update({ slug: 'api', dependsOn: [] });
    await h.caller.services.delete({ slug: 'db' });
    await expectTRPCError(h.caller.services.get({ slug: 'db' }), 'NOT_FOUND');
  });

  it('takes the service’s heartbeats with it', async () => {
    await create(h.caller, { slug: 'api' });
    await h.caller.heartbeats.create({ slug: 'api', status: 'down' });
    await h.caller.services.delete({ slug: 'api' });
    const again = await create(h.caller, { slug: 'api' });
    expect(again).toMatchObject({ status: 'operational', lastHeartbeatAt: null });
  });

  it('answers NOT_FOUND for an unknown slug', async () => {
    await expectTRPCError(h.caller.services.delete({ slug: 'ghost' }), 'NOT_FOUND');
  });
});

describe('services.get', () => {
  it('answers NOT_FOUND for an unknown slug and BAD_REQUEST for a malformed one', async () => {
    const error = await expectTRPCError(h.caller.services.get({ slug: 'ghost' }), 'NOT_FOUND');
    expect(problemOf(error).type).toBe('not-found');
    await expectTRPCError(h.caller.services.get({ slug: 'Not A Slug' }), 'BAD_REQUEST');
  });
});

describe('services.list', () => {
  it('walks every page in slug order with no duplicates or gaps', async () => {
    const all = Array.from({ length: 23 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    for (const slug of [...all].reverse()) await create(h.caller, { slug });

    const { slugs, pages } = await walkSlugs(h.caller, { limit: 5 });
    expect(pages).toBe(5);
    expect(slugs).toEqual(all);

    const exact = await walkSlugs(h.caller, { limit: 23 });
    expect(exact).toEqual({ slugs: all, pages: 1 });

    const first = await h.caller.services.list({});
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).not.toBeNull();
  });

  it('refuses a limit outside 1–100 and a cursor it did not issue', async () => {
    for (const limit of [0, 101, 2.5]) {
      expect(pointersOf(await expectTRPCError(h.caller.services.list({ limit }), 'BAD_REQUEST'))).toEqual(['/limit']);
    }
    for (const cursor of ['garbage', Buffer.from('["a","b"]').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      const error = await expectTRPCError(h.caller.services.list({ cursor }), 'UNPROCESSABLE_CONTENT');
      expect(pointersOf(error)).toEqual(['/cursor']);
    }
  });

  it('filters by tier, by derived status and by free text, and pages through a filter', async () => {
    await create(h.caller, { slug: 'db', tier: 'critical', owner: 'Team-Storage' });
    await create(h.caller, { slug: 'api', tier: 'critical', dependsOn: ['db'], description: 'Public REST API' });
    await create(h.caller, { slug: 'web', tier: 'high', name: 'Storefront' });
    await create(h.caller, { slug: 'batch', tier: 'low' });
    await create(h.caller, { slug: 'mail', tier: 'low' });
    await h.caller.heartbeats.create({ slug: 'db', status: 'down' });
    await h.caller.heartbeats.create({ slug: 'batch', status: 'degraded' });
    await h.caller.heartbeats.create({ slug: 'mail', status: 'degraded' });

    const slugs = async (input: Parameters<Caller['services']['list']>[0]) =>
      (await h.caller.services.list(input)).items.map((s) => s.slug);
    expect(await slugs({ tier: 'critical' })).toEqual(['api', 'db']);
    expect(await slugs({ status: 'major_outage' })).toEqual(['db']);
    expect(await slugs({ status: 'degraded' })).toEqual(['api', 'batch', 'mail']);
    expect(await slugs({ status: 'degraded', tier: 'low' })).toEqual(['batch', 'mail']);
    expect(await slugs({ status: 'operational' })).toEqual(['web']);
    expect(await slugs({ q: 'STOREFRONT' })).toEqual(['web']);
    expect(await slugs({ q: 'storage' })).toEqual(['db']);
    expect(await slugs({ q: 'rest api' })).toEqual(['api']);
    expect(await slugs({ q: 'ma' })).toEqual(['mail']);
    expect(await slugs({ q: 'nothing-matches' })).toEqual([]);

    const paged = await walkSlugs(h.caller, { status: 'degraded', limit: 1 });
    expect(paged).toEqual({ slugs: ['api', 'batch', 'mail'], pages: 3 });
  });
});

describe('derived status', () => {
  it('follows heartbeats, and degrades direct callers of a service in major outage only', async () => {
    await create(h.caller, { slug: 'db' });
    await create(h.caller, { slug: 'api', dependsOn: ['db'] });
    await create(h.caller, { slug: 'web', dependsOn: ['api'] });
    for (const slug of ['db', 'api', 'web']) await h.caller.heartbeats.create({ slug, status: 'up' });
    h.clock.advance(1000);
    await h.caller.heartbeats.create({ slug: 'db', status: 'down', message: 'connection refused' });

    const api = await h.caller.services.get({ slug: 'api' });
    expect(api.status).toBe('degraded');
    expect(api.statusReasons).toEqual([
      { kind: 'dependency', status: 'degraded', detail: 'Depends on db, which is in a major outage.', ref: 'db' },
    ]);
    expect((await h.caller.services.get({ slug: 'db' })).status).toBe('major_outage');
    expect((await h.caller.services.get({ slug: 'web' })).status).toBe('operational');

    h.clock.advance(1000);
    await h.caller.heartbeats.create({ slug: 'db', status: 'up' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe('operational');
  });

  it('derives each status at the caller’s own moment, also for callers sharing one read', async () => {
    await create(h.caller, { slug: 'quiet', heartbeatIntervalSeconds: 60 });
    await create(h.caller, { slug: 'chatty', heartbeatIntervalSeconds: 600 });
    const lastFresh = new Date(T0.getTime() + 3 * MINUTE);
    const justStale = new Date(lastFresh.getTime() + 1);
    // The first read is under way when the others ask: they all share the read queued behind it.
    const [, atLastFresh, sameMoment, afterIt, backAgain] = await Promise.all([
      loadFleet(h.db, T0),
      loadFleet(h.db, lastFresh),
      loadFleet(h.db, lastFresh),
      loadFleet(h.db, justStale),
      loadFleet(h.db, lastFresh),
    ]);
    const statusOf = (fleet: Fleet, slug: string) => fleet.bySlug.get(slug)?.derived.status;
    expect(statusOf(atLastFresh, 'quiet')).toBe('operational');
    expect(sameMoment).toBe(atLastFresh); // derived once for both
    expect(statusOf(afterIt, 'quiet')).toBe('unknown');
    expect(statusOf(afterIt, 'chatty')).toBe('operational');
    expect(statusOf(backAgain, 'quiet')).toBe('operational');
  });

  it('turns unknown after three silent intervals, counted from creation when never reported', async () => {
    await create(h.caller, { slug: 'quiet', heartbeatIntervalSeconds: 60 });
    await create(h.caller, { slug: 'chatty', heartbeatIntervalSeconds: 60 });
    await h.caller.heartbeats.create({ slug: 'chatty', status: 'up' });

    h.clock.set(new Date(T0.getTime() + 3 * MINUTE));
    expect((await h.caller.services.get({ slug: 'quiet' })).status).toBe('operational');
    h.clock.advance(1);
    const quiet = await h.caller.services.get({ slug: 'quiet' });
    expect(quiet.status).toBe('unknown');
    expect(quiet.statusReasons.map((r) => r.kind)).toEqual(['stale']);
    expect((await h.caller.services.get({ slug: 'chatty' })).status).toBe('unknown');

    await h.caller.heartbeats.create({ slug: 'chatty', status: 'up' });
    expect((await h.caller.services.get({ slug: 'chatty' })).status).toBe('operational');
    expect((await h.caller.services.get({ slug: 'chatty' })).lastHeartbeatAt).toBe(h.clock.now().toISOString());
  });

  it('takes the latest observation as the last heartbeat, not the latest report', async () => {
    await create(h.caller, { slug: 'api' });
    await h.caller.heartbeats.create({ slug: 'api', status: 'up' });
    h.clock.advance(MINUTE);
    await h.caller.heartbeats.create({ slug: 'api', status: 'down', observedAt: new Date(T0.getTime() - MINUTE).toISOString() });
    const api = await h.caller.services.get({ slug: 'api' });
    expect(api.status).toBe('operational');
    expect(api.lastHeartbeatAt).toBe(T0.toISOString());
  });

  it('reflects open incidents and forgets them once resolved', async () => {
    await create(h.caller, { slug: 'api' });
    await h.caller.heartbeats.create({ slug: 'api', status: 'up' });
    const incident = await h.caller.incidents.create({ title: 'Errors', severity: 'sev2', serviceSlugs: ['api'], message: 'Looking' });
    const during = await h.caller.services.get({ slug: 'api' });
    expect(during.status).toBe('partial_outage');
    expect(during.statusReasons).toEqual([
      { kind: 'incident', status: 'partial_outage', detail: 'Open sev2 incident: Errors', ref: incident.id },
    ]);
    await h.caller.incidents.updates.create({ id: incident.id, status: 'resolved', message: 'Fixed' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe('operational');
  });
});

describe('uptime', () => {
  it('is the share of up heartbeats over 24 hours, 7 days and 30 days', async () => {
    await create(h.caller, { slug: 'api' });
    await create(h.caller, { slug: 'other' });
    const report = (status: 'up' | 'degraded' | 'down', msAgo: number) =>
      h.caller.heartbeats.create({ slug: 'api', status, observedAt: new Date(T0.getTime() - msAgo).toISOString() });
    // last 24 h: 3 up, 1 degraded → 75 %
    await report('up', 0);
    await report('up', HOUR);
    await report('degraded', 2 * HOUR);
    await report('up', DAY);
    // 1–7 days: 1 down → 3 of 5 → 60 %
    await report('down', 3 * DAY);
    // 7–30 days: 1 up → 4 of 6 → 66.67 %
    await report('up', 20 * DAY);
    // older than 30 days: ignored
    await report('down', 31 * DAY);
    await h.caller.heartbeats.create({ slug: 'other', status: 'down' });

    const api = await h.caller.services.get({ slug: 'api' });
    expect(api.uptime).toEqual({ h24: 75, d7: 60, d30: 66.67 });
    expect((await h.caller.services.list({})).items.map((s) => [s.slug, s.uptime])).toEqual([
      ['api', { h24: 75, d7: 60, d30: 66.67 }],
      ['other', { h24: 0, d7: 0, d30: 0 }],
    ]);
  });

  // Uptime is kept between calls while nothing commits: these pin that it stays exact.
  it('counts a heartbeat the moment it is reported', async () => {
    await create(h.caller, { slug: 'api' });
    await h.caller.heartbeats.create({ slug: 'api', status: 'up' });
    expect((await h.caller.services.get({ slug: 'api' })).uptime.h24).toBe(100);
    await h.caller.heartbeats.create({ slug: 'api', status: 'down' });
    expect((await h.caller.services.get({ slug: 'api' })).uptime.h24).toBe(50);
    expect((await h.caller.services.list({})).items[0]?.uptime.h24).toBe(50);
  });

  it('moves with time alone: heartbeats leave a window when older than it, and count once reached', async () => {
    await create(h.caller, { slug: 'api' });
    const report = (status: 'up' | 'down', msFromNow: number) =>
      h.caller.heartbeats.create({ slug: 'api', status, observedAt: new Date(h.clock.now().getTime() + msFromNow).toISOString() });
    await report('up', -(DAY - HOUR));
    await report('down', -HOUR);
    await report('down', 2 * MINUTE); // a monitor whose clock runs ahead
    const uptime = async () => (await h.caller.services.get({ slug: 'api' })).uptime;
    expect(await uptime()).toEqual({ h24: 50, d7: 50, d30: 50 });
    h.clock.advance(3 * MINUTE);
    expect(await uptime()).toEqual({ h24: 33.33, d7: 33.33, d30: 33.33 });
    h.clock.advance(HOUR);
    expect(await uptime()).toEqual({ h24: 0, d7: 33.33, d30: 33.33 });
    h.clock.advance(30 * DAY);
    expect(await uptime()).toEqual({ h24: null, d7: null, d30: null });
  });

  it('is null for a window without heartbeats', async () => {
    await create(h.caller, { slug: 'api' });
    await h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: new Date(T0.getTime() - 10 * DAY).toISOString() });
    expect((await h.caller.services.get({ slug: 'api' })).uptime).toEqual({ h24: null, d7: null, d30: 100 });
  });
});

describe('services.blastRadius', () => {
  it('lists every transitive dependent once, nearest first, with its status', async () => {
    await create(h.caller, { slug: 'db', tier: 'critical' });
    await create(h.caller, { slug: 'api', dependsOn: ['db'] });
    await create(h.caller, { slug: 'worker', dependsOn: ['db'], tier: 'low' });
    await create(h.caller, { slug: 'web', dependsOn: ['api'] });
    await create(h.caller, { slug: 'admin', dependsOn: ['api', 'db'] });
    await create(h.caller, { slug: 'edge', dependsOn: ['web', 'admin'] });
    await create(h.caller, { slug: 'unrelated' });
    await h.caller.heartbeats.create({ slug: 'db', status: 'down' });

    const { items } = await h.caller.services.blastRadius({ slug: 'db' });
    expect(items.map((i) => [i.slug, i.depth])).toEqual([
      ['admin', 1],
      ['api', 1],
      ['worker', 1],
      ['edge', 2],
      ['web', 2],
    ]);
    expect(items.find((i) => i.slug === 'worker')).toEqual({ slug: 'worker', name: 'worker', tier: 'low', status: 'degraded', depth: 1 });
    expect((await h.caller.services.blastRadius({ slug: 'web' })).items.map((i) => i.slug)).toEqual(['edge']);
    expect((await h.caller.services.blastRadius({ slug: 'edge' })).items).toEqual([]);
  });

  it('answers NOT_FOUND for an unknown slug', async () => {
    await expectTRPCError(h.caller.services.blastRadius({ slug: 'ghost' }), 'NOT_FOUND');
  });
});
