import { beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, T0, UUID, expectTRPCError, pointersOf, problemOf, useHarness, type Caller } from '../../testing/harness.js';
import { MAX_CLOCK_SKEW_MS } from './heartbeats.schema.js';
import { schema } from '@bastion/db';
import { eq } from 'drizzle-orm';
import { adminPrincipal } from '../../testing/principals.js';
import type { AuditNote } from '../../trpc.js';
import { auditRecordOf, type AuditResult } from '../audit/audit.service.js';
import { recordHeartbeat } from './heartbeats.service.js';

const h = useHarness();

beforeEach(async () => {
  await h.caller.services.create({ slug: 'api', name: 'API', tier: 'high' });
  await h.caller.services.create({ slug: 'db', name: 'DB', tier: 'critical' });
});

const iso = (msFromT0: number) => new Date(T0.getTime() + msFromT0).toISOString();

/** Walks every page of a service's heartbeats and returns them in the order served. */
async function walk(caller: Caller, slug: string, limit: number) {
  const items: Awaited<ReturnType<Caller['heartbeats']['list']>>['items'] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await caller.heartbeats.list({ slug, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages += 1;
    if (pages > 100) throw new Error('pagination does not end');
  } while (cursor);
  return { items, pages };
}

describe('heartbeats.create', () => {
  it('records a heartbeat observed now by default, with null optional fields', async () => {
    const { id, ...heartbeat } = await h.caller.heartbeats.create({ slug: 'api', status: 'up' });
    expect(id).toMatch(UUID);
    expect(heartbeat).toEqual({
      serviceSlug: 'api',
      status: 'up',
      latencyMs: null,
      message: null,
      observedAt: T0.toISOString(),
      receivedAt: T0.toISOString(),
    });
    expect((await h.caller.services.get({ slug: 'api' })).lastHeartbeatAt).toBe(T0.toISOString());
  });

  it('keeps latency, message and a backfilled observation time, normalised to UTC', async () => {
    const heartbeat = await h.caller.heartbeats.create({
      slug: 'api',
      status: 'degraded',
      latencyMs: 812,
      message: 'slow',
      observedAt: '2025-06-01T13:30:00+02:00',
    });
    expect(heartbeat).toMatchObject({
      status: 'degraded',
      latencyMs: 812,
      message: 'slow',
      observedAt: '2025-06-01T11:30:00.000Z',
      receivedAt: T0.toISOString(),
    });
  });

  it('accepts an observation up to the allowed clock skew ahead and refuses one beyond it with 422', async () => {
    await h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: iso(MAX_CLOCK_SKEW_MS) });
    const error = await expectTRPCError(
      h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: iso(MAX_CLOCK_SKEW_MS + 1) }),
      'UNPROCESSABLE_CONTENT',
    );
    expect(problemOf(error).errors.map((e) => e.pointer)).toEqual(['/observedAt']);
    expect((await h.caller.heartbeats.list({ slug: 'api' })).items).toHaveLength(1);
  });

  it('answers NOT_FOUND for an unknown service', async () => {
    const error = await expectTRPCError(h.caller.heartbeats.create({ slug: 'ghost', status: 'up' }), 'NOT_FOUND');
    expect(error.message).toContain('ghost');
  });

  it('refuses malformed input with BAD_REQUEST pointing at each field', async () => {
    const error = await expectTRPCError(
      h.caller.heartbeats.create({ slug: 'api', status: 'sideways', latencyMs: -1, observedAt: 'yesterday' } as never),
      'BAD_REQUEST',
    );
    expect(pointersOf(error).sort()).toEqual(['/latencyMs', '/observedAt', '/status']);
  });

  it('drives the service status', async () => {
    await h.caller.heartbeats.create({ slug: 'api', status: 'down' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe('major_outage');
    h.clock.advance(MINUTE);
    await h.caller.heartbeats.create({ slug: 'api', status: 'degraded' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe('degraded');
  });
});

describe('heartbeats.create under concurrency (one statement serves the callers waiting together)', () => {
  it('stores every concurrent report as answered, fails only the unknown slug, and audits each call', async () => {
    const audited = async (result: string) =>
      (await h.caller.audit.list({ action: 'heartbeats.create', limit: 100 })).items.filter((row) => row.result === result);
    const ghostFailures = async () => (await audited('failure')).filter((row) => row.target === 'ghost').length;
    const [successesBefore, failuresBefore] = [(await audited('success')).length, await ghostFailures()];
    const reports = Array.from({ length: 30 }, (_, i) => ({ slug: i % 2 ? 'api' : 'db', status: 'up' as const, latencyMs: i, message: `report ${i}` }));
    const [ghost, ...answers] = await Promise.allSettled([
      h.caller.heartbeats.create({ slug: 'ghost', status: 'down' }),
      ...reports.map((report) => h.caller.heartbeats.create(report)),
    ]);
    expect(ghost.status).toBe('rejected');
    const answered = answers.map((answer) => {
      if (answer.status !== 'fulfilled') throw new Error(`a report failed: ${String(answer.reason)}`);
      return answer.value;
    });
    expect(answered.map((a) => [a.serviceSlug, a.latencyMs, a.message])).toEqual(reports.map((r) => [r.slug, r.latencyMs, r.message]));
    const stored = [...(await walk(h.caller, 'api', 100)).items, ...(await walk(h.caller, 'db', 100)).items];
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(stored.sort(byId)).toEqual(answered.sort(byId));

    // The audit log outlives the truncation between tests: count what this test added.
    expect((await audited('success')).length - successesBefore).toBe(30);
    expect((await ghostFailures()) - failuresBefore).toBe(1);
  });

  it('fails only the report the database refuses; the ones written with it are stored', async () => {
    const outcomes = await Promise.allSettled([
      recordHeartbeat(h.deps, { slug: 'api', status: 'up' }),
      recordHeartbeat(h.deps, { slug: 'api', status: 'up', latencyMs: 1 }),
      // Past the schema's bounds (the router would refuse it first): out of integer range.
      recordHeartbeat(h.deps, { slug: 'api', status: 'up', latencyMs: 2 ** 40 }),
      recordHeartbeat(h.deps, { slug: 'db', status: 'down', latencyMs: 3 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await walk(h.caller, 'api', 100)).items.map((i) => i.latencyMs).sort()).toEqual([1, null]);
    expect((await walk(h.caller, 'db', 100)).items.map((i) => i.latencyMs)).toEqual([3]);
  });

  it('commits each report with its success audit row: neither is written without the other', async () => {
    const noteWith = (result: AuditResult, requestId: string): AuditNote => ({
      takeSuccessRow: (output) => auditRecordOf(h.deps, { actor: adminPrincipal, action: 'heartbeats.create', target: 'api', result, requestId, detail: { output } }),
    });
    const outcomes = await Promise.allSettled([
      recordHeartbeat(h.deps, { slug: 'api', status: 'up', latencyMs: 1 }, noteWith('success', 'stored')),
      // The database refuses the heartbeat (out of integer range): its row must not be written.
      recordHeartbeat(h.deps, { slug: 'api', status: 'up', latencyMs: 2 ** 40 }, noteWith('success', 'heartbeat-refused')),
      // The database refuses the audit row: the heartbeat must not be stored.
      recordHeartbeat(h.deps, { slug: 'api', status: 'up', latencyMs: 3 }, noteWith('bogus' as AuditResult, 'audit-refused')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((await walk(h.caller, 'api', 100)).items.map((i) => i.latencyMs)).toEqual([1]);
    const rows = await h.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'heartbeats.create'));
    const mine = rows.filter((row) => ['stored', 'heartbeat-refused', 'audit-refused'].includes(row.requestId ?? ''));
    expect(mine.map((row) => [row.requestId, row.result])).toEqual([['stored', 'success']]);
    const [first] = outcomes;
    expect(mine[0]?.detail).toEqual({ output: first.status === 'fulfilled' ? first.value : null });
  });

  it('stores and answers a lone surrogate as U+FFFD, like any text parameter', async () => {
    const heartbeat = await h.caller.heartbeats.create({ slug: 'api', status: 'up', message: 'x\uD800y' });
    expect(heartbeat.message).toBe('x\uFFFDy');
    expect((await walk(h.caller, 'api', 10)).items).toEqual([heartbeat]);
  });
});

describe('heartbeats.list', () => {
  it('serves newest observation first, whatever the order of reports, and only that service’s', async () => {
    await h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: iso(-2 * MINUTE) });
    await h.caller.heartbeats.create({ slug: 'api', status: 'down', observedAt: iso(0) });
    await h.caller.heartbeats.create({ slug: 'api', status: 'degraded', observedAt: iso(-MINUTE) });
    await h.caller.heartbeats.create({ slug: 'db', status: 'up' });
    const page = await h.caller.heartbeats.list({ slug: 'api' });
    expect(page.items.map((b) => [b.status, b.serviceSlug])).toEqual([
      ['down', 'api'],
      ['degraded', 'api'],
      ['up', 'api'],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('walks every page with no duplicates or gaps, even across equal timestamps', async () => {
    const ids = new Set<string>();
    // 3 distinct instants, 7 heartbeats each: every page boundary falls inside a run of equal timestamps.
    for (let i = 0; i < 21; i += 1) {
      const heartbeat = await h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: iso(-Math.floor(i / 7) * MINUTE) });
      ids.add(heartbeat.id);
    }
    await h.caller.heartbeats.create({ slug: 'db', status: 'up' });

    for (const limit of [1, 4, 7, 20, 21]) {
      const { items, pages } = await walk(h.caller, 'api', limit);
      expect(items.map((b) => b.id).sort(), `limit ${limit}`).toEqual([...ids].sort());
      expect(pages).toBe(Math.ceil(21 / limit));
      const times = items.map((b) => Date.parse(b.observedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
  });

  it('defaults to 20 per page', async () => {
    for (let i = 0; i < 21; i += 1) await h.caller.heartbeats.create({ slug: 'api', status: 'up', observedAt: iso(-i * 1000) });
    const first = await h.caller.heartbeats.list({ slug: 'api' });
    expect(first.items).toHaveLength(20);
    const second = await h.caller.heartbeats.list({ slug: 'api', cursor: first.nextCursor ?? undefined });
    expect(second.items.map((b) => b.observedAt)).toEqual([iso(-20_000)]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue with 422 on /cursor, and a bad limit with 400', async () => {
    const foreign = [
      'not-a-cursor',
      Buffer.from(JSON.stringify(['api'])).toString('base64url'),
      Buffer.from(JSON.stringify(['not a date', '00000000-0000-4000-8000-000000000000'])).toString('base64url'),
      Buffer.from(JSON.stringify([T0.toISOString(), 'not-a-uuid'])).toString('base64url'),
    ];
    for (const cursor of foreign) {
      const error = await expectTRPCError(h.caller.heartbeats.list({ slug: 'api', cursor }), 'UNPROCESSABLE_CONTENT');
      expect(pointersOf(error)).toEqual(['/cursor']);
    }
    expect(pointersOf(await expectTRPCError(h.caller.heartbeats.list({ slug: 'api', limit: 101 }), 'BAD_REQUEST'))).toEqual(['/limit']);
  });

  it('answers NOT_FOUND for an unknown service', async () => {
    await expectTRPCError(h.caller.heartbeats.list({ slug: 'ghost' }), 'NOT_FOUND');
  });
});
