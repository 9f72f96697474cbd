import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, GENEROUS_RATE_LIMIT, seedFleet, startCluster, type Cluster, type Fleet } from './cluster.js';
import { limitPrincipalReads, readServices, resetRateLimits, waitForReadLimit, type Answer } from './controls.js';
import { startPrivatePostgres, type PrivatePostgres } from './engines/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './engines/private-redis.js';
import { clusterEnabled } from './env.js';
import { countByStatus, failures, startLoad, type Outcome } from './load.js';
import { readiness } from './readiness.js';

const ok = (o: Outcome) => o.status >= 200 && o.status < 300;

// The engines here are the suite's own: stopping them never disturbs the machine's PostgreSQL and Redis,
// which other suites use at the same time. Gated like the rest of the cluster suite.
describe.skipIf(!clusterEnabled)('two instances behind nginx when PostgreSQL or Redis fails', () => {
  let pg: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let cluster: Cluster | undefined;
  let fleet: Fleet;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    cluster = await startCluster({ databaseUrl: pg.url, redisUrl: redis.url });
    fleet = await seedFleet(cluster.url);
  });
  afterAll(async () => {
    await cluster?.close();
    await Promise.all([redis?.destroy(), pg?.destroy()]);
  });

  it('answers 503 problem+json at once while PostgreSQL is down, recovers by itself, and keeps every acknowledged write', async () => {
    if (!cluster || !pg) throw new Error('no cluster');
    const { instances } = cluster;
    const pids = instances.map((instance) => instance.child.process.pid);
    const load = startLoad({ baseUrl: cluster.url, headers: fleet.headers, slug: fleet.slug, ratePerSecond: 100 });
    await sleep(2_000);

    await pg.stop('fast');
    const downAt = load.elapsed();
    // Each instance tells its load balancer it cannot serve.
    for (const instance of instances) await expect.poll(() => readiness(instance.url), { timeout: 10_000, interval: 100 }).toBe(503);
    await sleep(1_500);
    await pg.start();
    const upAt = load.elapsed();
    // …and comes back by itself: same processes, new connections.
    for (const instance of instances) await expect.poll(() => readiness(instance.url), { timeout: 20_000, interval: 100 }).toBe(200);
    const recoveredAt = load.elapsed();
    await sleep(1_500);
    const outcomes = await load.stop();
    const summary = `${JSON.stringify(countByStatus(outcomes))}\n${pg.log()}\n${cluster.logs()}`;

    expect(instances.map((instance) => instance.child.process.pid)).toEqual(pids);
    // Nothing but successes and clean 503s: no 500, no nginx 502/504, no hang (status 0).
    expect(outcomes.filter((o) => !ok(o) && o.status !== 503), summary).toEqual([]);
    const unavailable = outcomes.filter((o) => o.status === 503);
    expect(unavailable.length, summary).toBeGreaterThan(0);
    for (const o of unavailable) {
      expect(o.contentType).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(o.body ?? '{}')).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
      // Fail fast: a refused connection is an immediate answer, not a wait for a timeout.
      expect(o.ms).toBeLessThan(3_000);
    }
    expect(failures(outcomes.filter((o) => o.at > recoveredAt)), summary).toEqual([]);
    expect(outcomes.filter((o) => o.at > recoveredAt && ok(o)).length).toBeGreaterThan(20);

    // Every heartbeat the API acknowledged — before the outage, during it (until it was seen), after — is stored.
    const acknowledged = outcomes.flatMap((o) => (o.heartbeatId === undefined ? [] : [o.heartbeatId]));
    expect(outcomes.filter((o) => o.heartbeatId !== undefined && o.at < downAt).length, summary).toBeGreaterThan(5);
    expect(outcomes.filter((o) => o.heartbeatId !== undefined && o.at > upAt).length, summary).toBeGreaterThan(5);
    const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await sql<{ id: string }[]>`select id from heartbeats where id = any(${acknowledged}::uuid[])`;
      expect(rows.map((row) => row.id).sort()).toEqual([...acknowledged].sort());
    } finally {
      await sql.end();
    }
  });

  it('keeps answering with no 5xx when Redis is killed', async () => {
    if (!cluster || !redis) throw new Error('no cluster');
    const load = startLoad({ baseUrl: cluster.url, headers: fleet.headers, slug: fleet.slug, ratePerSecond: 100 });
    await sleep(1_000);
    await redis.kill();
    const killedAt = load.elapsed();
    await sleep(3_000);
    const restartedAt = load.elapsed();
    await redis.start();
    await sleep(1_000);
    const outcomes = await load.stop();

    expect(failures(outcomes), `${JSON.stringify(countByStatus(outcomes))}\n${cluster.logs()}`).toEqual([]);
    expect(outcomes.filter((o) => o.at > killedAt && o.at < restartedAt).length).toBeGreaterThan(50);
    for (const instance of cluster.instances) expect(await readiness(instance.url)).toBe(200);
  });

  it('falls back to in-memory rate limiting while Redis is down: limits still hold per instance, no 5xx', async () => {
    if (!cluster || !redis) throw new Error('no cluster');
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error('two instances expected');
    const limit = 10;
    const client = await createApiKey(cluster.url, fleet.adminHeaders, 'cluster-insurance', ['services:read']);
    await redis.kill();
    try {
      // Set while Redis is down: A applies it at once, B reads it on its poll of the database.
      await limitPrincipalReads(a.url, fleet.adminHeaders, limit);
      for (const instance of [a, b]) await waitForReadLimit(instance.url, fleet.headers, limit);

      // Each instance counts in its own memory now, so each admits the whole limit, and no more.
      for (const instance of [a, b]) {
        const answers: Answer[] = [];
        for (let i = 0; i < limit + 5; i++) answers.push(await readServices(instance.url, client));
        const statuses = answers.map((answer) => answer.status);
        expect(statuses, `${instance.spec.name}\n${cluster.logs()}`).toEqual([...Array<number>(limit).fill(200), ...Array<number>(5).fill(429)]);
        for (const answer of answers) expect(answer.rateLimitPolicy).toBe(`"principal-read";q=${limit};w=60`);
        for (const refused of answers.slice(limit)) {
          expect(refused.problemType).toBe('/problems/rate-limited');
          expect(refused.rateLimit).toMatch(/^"principal-read";r=0;t=\d+$/);
          expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        }
        expect(await readiness(instance.url)).toBe(200);
      }
      // Through nginx too: nothing but admissions and refusals, no 5xx.
      const proxied = await Promise.all(Array.from({ length: 10 }, () => readServices(cluster?.url ?? '', client)));
      expect(proxied.map((answer) => answer.status).filter((status) => status !== 429)).toEqual([]);
      expect((await fetch(`${cluster.url}/api/v1/incidents`, { headers: fleet.adminHeaders })).status).toBe(200);
    } finally {
      await resetRateLimits(a.url, fleet.adminHeaders);
      await redis.start();
    }
    for (const instance of [a, b]) await waitForReadLimit(instance.url, fleet.headers, GENEROUS_RATE_LIMIT);
  });
});
