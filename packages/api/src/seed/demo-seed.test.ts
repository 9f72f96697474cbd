import { schema } from '@bastion/db';
import { count, min } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, T0, useHarness } from '../testing/harness.js';
import { reportDemoHeartbeats, seedDemoData } from './demo-seed.js';

// One seed for the whole file: the tests read what it made.
const h = useHarness({ truncateBeforeEach: false });

let first: { seeded: boolean } | undefined;

beforeAll(async () => {
  first = await seedDemoData(h.deps);
});

describe('seedDemoData', () => {
  it('seeds an empty database, and does nothing the second time', async () => {
    expect(first).toEqual({ seeded: true });
    const rows = async () => ({
      services: (await h.db.select({ n: count() }).from(schema.services))[0]?.n,
      heartbeats: (await h.db.select({ n: count() }).from(schema.heartbeats))[0]?.n,
      incidents: (await h.db.select({ n: count() }).from(schema.incidents))[0]?.n,
    });
    const before = await rows();
    h.clock.advance(HOUR);
    expect(await seedDemoData(h.deps)).toEqual({ seeded: false });
    expect(await rows()).toEqual(before);
  });

  it('creates a fleet of services with dependencies and a day of heartbeats, within budget', async () => {
    const { items } = await h.caller.services.list({ limit: 100 });
    expect(items.length).toBeGreaterThanOrEqual(8);
    expect(new Set(items.map((s) => s.tier))).toEqual(new Set(['critical', 'high', 'medium', 'low']));
    expect(items.find((s) => s.slug === 'edge-gateway')?.dependsOn).toContain('auth-api');
    expect(items.find((s) => s.slug === 'payments-api')?.dependsOn).toContain('ledger-db');

    const [total] = await h.db.select({ n: count() }).from(schema.heartbeats);
    expect(total?.n).toBeGreaterThan(1000);
    expect(total?.n).toBeLessThan(3000);
    const perService = new Map(
      (
        await h.db
          .select({ id: schema.heartbeats.serviceId, n: count(), oldest: min(schema.heartbeats.observedAt) })
          .from(schema.heartbeats)
          .groupBy(schema.heartbeats.serviceId)
      ).map((row) => [row.id, row]),
    );
    for (const service of items) {
      // A full day of history at the service's own interval, the newest within the last minute.
      const history = perService.get(service.id);
      expect(history?.n, service.slug).toBe(Math.floor((24 * HOUR - MINUTE) / (service.heartbeatIntervalSeconds * 1000)) + 1);
      expect(history?.oldest?.getTime(), service.slug).toBeLessThan(T0.getTime() - 23 * HOUR);
      expect(Date.parse(service.lastHeartbeatAt ?? ''), service.slug).toBeGreaterThan(T0.getTime() - MINUTE);
    }
  });

  it('leaves the statuses the demo story tells', async () => {
    const status = await h.caller.status.get();
    expect(Object.fromEntries(status.services.map((s) => [s.slug, s.status]))).toEqual({
      'auth-api': 'operational',
      'catalog-api': 'partial_outage',
      'edge-gateway': 'operational',
      'ledger-db': 'operational',
      'notifications-worker': 'degraded',
      'payments-api': 'operational',
      'recommendations-api': 'degraded',
      'search-index': 'major_outage',
      'users-db': 'operational',
    });
    expect(status.indicator).toBe('major_outage');

    const searchIndex = await h.caller.services.get({ slug: 'search-index' });
    expect(searchIndex.statusReasons.map((r) => r.kind).sort()).toEqual(['heartbeat', 'incident']);
    const recommendations = await h.caller.services.get({ slug: 'recommendations-api' });
    expect(recommendations.statusReasons).toEqual([expect.objectContaining({ kind: 'dependency', ref: 'search-index' })]);
    const worker = await h.caller.services.get({ slug: 'notifications-worker' });
    expect(worker.statusReasons).toEqual([expect.objectContaining({ kind: 'heartbeat', status: 'degraded' })]);

    // The slow hour last night shows in payments' uptime, not in its status.
    const payments = await h.caller.services.get({ slug: 'payments-api' });
    expect(payments.uptime.h24).toBeGreaterThan(90);
    expect(payments.uptime.h24).toBeLessThan(100);
    expect((await h.caller.services.get({ slug: 'auth-api' })).uptime.h24).toBe(100);
  });

  it('opens one sev2 incident with two timeline updates and records one resolved incident', async () => {
    const open = await h.caller.incidents.list({ status: 'open' });
    expect(open.items).toHaveLength(1);
    const [summary] = open.items;
    expect(summary).toMatchObject({ severity: 'sev2', serviceSlugs: ['catalog-api', 'search-index'] });
    const incident = await h.caller.incidents.get({ id: summary?.id ?? '' });
    expect(incident.updates.map((u) => u.status)).toEqual(['investigating', 'identified', 'identified']);
    expect(incident.updates.map((u) => Date.parse(u.createdAt))).toEqual(
      [30, 20, 10].map((minutes) => T0.getTime() - minutes * MINUTE),
    );

    const resolved = await h.caller.incidents.list({ status: 'resolved' });
    expect(resolved.items).toHaveLength(1);
    expect(resolved.items[0]).toMatchObject({ severity: 'sev3', resolvedAt: new Date(T0.getTime() - 13 * HOUR).toISOString() });
  });
});

describe('reportDemoHeartbeats', () => {
  it('keeps the demo fleet alive: two hours later nothing is unknown, and the story still holds', async () => {
    h.clock.advance(2 * HOUR);
    const before = await h.caller.status.get();
    expect(before.services.some((s) => s.status === 'unknown')).toBe(true);

    expect(await reportDemoHeartbeats(h.deps)).toBe(9);
    const after = await h.caller.status.get();
    expect(after.services.filter((s) => s.status === 'unknown')).toEqual([]);
    expect(after.services.find((s) => s.slug === 'search-index')?.status).toBe('major_outage');
    expect(after.services.find((s) => s.slug === 'notifications-worker')?.status).toBe('degraded');

    // a monitor reports once per interval, not on every tick
    h.clock.advance(MINUTE / 2);
    expect(await reportDemoHeartbeats(h.deps)).toBe(0);
  });
});
