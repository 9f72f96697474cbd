import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createScratchDatabase, GENEROUS_RATE_LIMIT, seedFleet, startCluster, type Cluster, type Fleet } from './cluster.js';
import { clearSwitch, limitPrincipalReads, readServices, resetRateLimits, switchOff, waitForReadLimit, type Answer } from './controls.js';
import { clusterEnabled, clusterEnv } from './env.js';
import { countByStatus, failures, startLoad } from './load.js';
import { readiness } from './readiness.js';

describe.skipIf(!clusterEnabled)("two instances behind nginx on the machine's PostgreSQL and Redis", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let cluster: Cluster;
  let fleet: Fleet;

  beforeAll(async () => {
    scratch = await createScratchDatabase(clusterEnv.databaseUrl ?? '');
    cluster = await startCluster({ databaseUrl: scratch.url, redisUrl: clusterEnv.redisUrl ?? '' });
    fleet = await seedFleet(cluster.url);
  });
  afterAll(async () => {
    await cluster.close();
    await scratch?.drop();
  });

  it('serves through nginx from both instances', async () => {
    const before = await Promise.all(cluster.instances.map((instance) => instance.requestCount('services.list')));
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${cluster.url}/api/v1/services`, { headers: fleet.headers });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: { slug: string }[] }).items.map((s) => s.slug)).toEqual([fleet.slug]);
    }
    const after = await Promise.all(cluster.instances.map((instance) => instance.requestCount('services.list')));
    const served = after.map((count, i) => count - (before[i] ?? 0));
    // Round robin: each instance answers its share (at least a quarter, whatever the keep-alive reuse).
    expect(served.reduce((a, b) => a + b)).toBe(20);
    for (const share of served) expect(share).toBeGreaterThanOrEqual(5);
  });

  it('loses no request while each instance in turn is stopped (SIGTERM) and started again under steady load', async () => {
    const load = startLoad({ baseUrl: cluster.url, headers: fleet.headers, slug: fleet.slug, ratePerSecond: 150 });
    await sleep(1_000);
    const windows: { from: number; to: number }[] = [];
    for (const i of cluster.instances.keys()) {
      const instance = cluster.instances[i];
      if (!instance) throw new Error(`no instance ${i}`);
      const from = load.elapsed();
      const exited = cluster.stop(i);
      // While it drains, the instance says it is not ready, then stops listening.
      const seen = new Set<number>();
      const { process: child } = instance.child;
      while (child.exitCode === null && child.signalCode === null) {
        seen.add(await readiness(instance.url));
        await sleep(50);
      }
      expect(await exited, cluster.logs()).toBe(0);
      expect(seen.has(503), `readiness seen while draining: ${[...seen].join(', ')}`).toBe(true);

      const restarted = await cluster.start(i);
      expect(restarted.child.process.pid).not.toBe(instance.child.process.pid);
      windows.push({ from, to: load.elapsed() });
      await sleep(1_000);
    }
    await sleep(1_000);
    const outcomes = await load.stop();

    // Without the drain (BASTION_SHUTDOWN_DRAIN_MS=0), or with nginx keeping idle connections longer
    // than the drain, a POST sent on a keep-alive connection the instance was closing came back 502; and
    // without "non_idempotent" in nginx's proxy_next_upstream, so did one in the accept queue of a
    // listener being closed.
    expect(failures(outcomes), `${JSON.stringify(countByStatus(outcomes))}\n${cluster.logs()}`).toEqual([]);
    // Retried writes were applied once: each acknowledged heartbeat is stored, none twice.
    const acknowledged = outcomes.flatMap((o) => (o.heartbeatId === undefined ? [] : [o.heartbeatId]));
    const sql = postgres(scratch?.url ?? '', { max: 1, onnotice: () => undefined });
    try {
      const stored = await sql<{ id: string }[]>`select id from heartbeats where id = any(${acknowledged}::uuid[])`;
      expect(stored.length).toBe(acknowledged.length);
      const twice = await sql<{ message: string }[]>`
        select message from heartbeats where message like 'load #%' group by message having count(*) > 1`;
      expect(twice).toEqual([]);
    } finally {
      await sql.end();
    }
    // The load ran throughout: reads and writes were sent while each instance drained, was down and came back.
    for (const { from, to } of windows) {
      const during = outcomes.filter((o) => o.at >= from && o.at <= to);
      expect(during.filter((o) => o.method === 'GET').length).toBeGreaterThan(30);
      expect(during.filter((o) => o.method === 'POST').length).toBeGreaterThan(10);
    }
    // Both restarted processes are taking traffic again.
    for (const instance of cluster.instances) expect(await instance.requestCount()).toBeGreaterThan(0);
  });

  it('enforces a kill switch flipped through instance A on instance B within 2 s, and lifts it there within 2 s', async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error('two instances expected');
    const incidentsOnB = () => fetch(`${b.url}/api/v1/incidents`, { headers: fleet.adminHeaders });
    expect((await incidentsOnB()).status).toBe(200);
    try {
      await switchOff(a.url, fleet.adminHeaders, 'incidents', 42);
      const switchedAt = Date.now();
      // B learns of the change from Redis pub/sub (or, failing that, its one-second poll).
      let refused = await incidentsOnB();
      while (refused.status === 200 && Date.now() - switchedAt < 5_000) {
        await refused.arrayBuffer();
        await sleep(25);
        refused = await incidentsOnB();
      }
      const propagationMs = Date.now() - switchedAt;
      expect(refused.status, cluster.logs()).toBe(503);
      expect(propagationMs).toBeLessThan(2_000);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('retry-after')).toBe('42');
      expect(await refused.json()).toMatchObject({ type: '/problems/module-disabled', status: 503, detail: expect.stringContaining('cluster drill') as string });
      // Only the module is off: the rest of the API on B still answers.
      expect((await fetch(`${b.url}/api/v1/services`, { headers: fleet.headers })).status).toBe(200);

      await clearSwitch(a.url, fleet.adminHeaders, 'incidents');
      const clearedAt = Date.now();
      let answered = await incidentsOnB();
      while (answered.status === 503 && Date.now() - clearedAt < 5_000) {
        await answered.arrayBuffer();
        await sleep(25);
        answered = await incidentsOnB();
      }
      expect(answered.status).toBe(200);
      expect(Date.now() - clearedAt).toBeLessThan(2_000);
    } finally {
      await clearSwitch(a.url, fleet.adminHeaders, 'incidents');
    }
  });

  it('shares one rate-limit budget across both instances: exactly the limit succeeds, the rest is 429', async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error('two instances expected');
    const budget = 30;
    // A key of its own: its count starts at zero whatever the load sent with the fleet key.
    const client = await createApiKey(cluster.url, fleet.adminHeaders, 'cluster-budget', ['services:read']);
    try {
      await limitPrincipalReads(a.url, fleet.adminHeaders, budget);
      for (const instance of [a, b]) await waitForReadLimit(instance.url, fleet.headers, budget);

      // Twice the budget, alternately on each instance, several at a time: the count is one, in Redis.
      const urls = Array.from({ length: budget * 2 }, (_, i) => (i % 2 === 0 ? a.url : b.url));
      const answers: Answer[] = [];
      for (let i = 0; i < urls.length; i += 10) answers.push(...(await Promise.all(urls.slice(i, i + 10).map((url) => readServices(url, client)))));

      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200).length, JSON.stringify(statuses)).toBe(budget);
      expect(statuses.filter((status) => status === 429).length, JSON.stringify(statuses)).toBe(budget);
      // Both instances admitted some and refused some: neither kept a budget of its own.
      for (const url of [a.url, b.url]) {
        const mine = answers.filter((_, i) => urls[i] === url).map((answer) => answer.status);
        expect(mine.filter((status) => status === 200).length, `${url}: ${JSON.stringify(mine)}`).toBeLessThan(budget);
      }
      for (const answer of answers) {
        expect(answer.rateLimitPolicy).toBe(`"principal-read";q=${budget};w=60`);
        expect(answer.rateLimit).toMatch(/^"principal-read";r=\d+;t=\d+$/);
      }
      for (const refused of answers.filter((answer) => answer.status === 429)) {
        expect(refused.contentType).toMatch(/^application\/problem\+json/);
        expect(refused.problemType).toBe('/problems/rate-limited');
        expect(refused.rateLimit).toMatch(/^"principal-read";r=0;t=\d+$/);
        expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      }
    } finally {
      await resetRateLimits(a.url, fleet.adminHeaders);
    }
    // Restored on both: the same key is admitted again.
    for (const instance of [a, b]) await waitForReadLimit(instance.url, fleet.headers, GENEROUS_RATE_LIMIT);
    expect((await readServices(b.url, client)).status).toBe(200);
  });
});
