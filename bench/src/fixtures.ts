import { ALL_SCOPES, generateApiKey } from '@bastion/api/auth';
import { openDatabase, schema, type Database } from '@bastion/db';
import postgres from 'postgres';

/** How many services the fleet has: more than the list endpoint's page of 50. */
export const FLEET_SIZE = 60;
/** The service single-item endpoints and heartbeats use. */
export const BENCH_SLUG = 'svc-01';
/**
 * Few heartbeats on purpose: Bastion's latest-heartbeat query sorts the whole table (2.3 ms of
 * PostgreSQL CPU at 24 per service), which would make every GET a database benchmark.
 */
export const HEARTBEATS_PER_SERVICE = 4;
const TIERS = ['critical', 'high', 'medium', 'low'] as const;

/**
 * Fills an empty, migrated database with the benchmark fleet: 60 services (15 per tier), a chain
 * of dependencies, 4 heartbeats each over the past day (a few `down`/`degraded`), two open
 * incidents and a resolved one. Heartbeat intervals are an hour, so statuses do not drift to
 * `unknown` while a run lasts. Every row is older than the returned cutoff, so rows a run adds
 * can be deleted (`resetDatabase`).
 */
export async function seedFleet(db: Database, now = new Date()): Promise<Date> {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  const services = await db
    .insert(schema.services)
    .values(
      Array.from({ length: FLEET_SIZE }, (_, i) => ({
        slug: `svc-${String(i).padStart(2, '0')}`,
        name: `Service ${i}`,
        description: `Benchmark service number ${i}, part of a synthetic fleet.`,
        owner: `team-${i % 7}`,
        tier: TIERS[i % TIERS.length] ?? 'low',
        heartbeatIntervalSeconds: 3600,
        createdAt: at(3 * 86_400_000),
        updatedAt: at(3 * 86_400_000),
      })),
    )
    .returning({ id: schema.services.id, slug: schema.services.slug });

  const edges = services.flatMap((s, i) => {
    const next = services[i + 1];
    return next && i % 5 !== 4 ? [{ serviceId: s.id, dependsOnId: next.id }] : [];
  });
  await db.insert(schema.serviceDependencies).values(edges);

  const heartbeats = services.flatMap((s, i) =>
    Array.from({ length: HEARTBEATS_PER_SERVICE }, (_, h) => {
      const observedAt = at(60_000 + h * 6 * 3_600_000);
      const status = h === 0 && i % 17 === 3 ? ('down' as const) : h === 2 && i % 5 === 1 ? ('degraded' as const) : ('up' as const);
      return { serviceId: s.id, status, latencyMs: 10 + ((i * 7 + h) % 90), observedAt, receivedAt: observedAt };
    }),
  );
  for (let i = 0; i < heartbeats.length; i += 500) await db.insert(schema.heartbeats).values(heartbeats.slice(i, i + 500));

  const incidents = await db
    .insert(schema.incidents)
    .values([
      { title: 'Elevated error rate on checkout', severity: 'sev2', status: 'investigating', createdAt: at(3_600_000), updatedAt: at(3_600_000) },
      { title: 'Slow responses in one region', severity: 'sev3', status: 'monitoring', createdAt: at(7_200_000), updatedAt: at(7_200_000) },
      { title: 'Past outage', severity: 'sev1', status: 'resolved', createdAt: at(86_400_000), updatedAt: at(80_000_000), resolvedAt: at(80_000_000) },
    ])
    .returning({ id: schema.incidents.id });
  const touched = [['svc-05', 'svc-06'], ['svc-10'], ['svc-20']] as const;
  await db.insert(schema.incidentServices).values(
    incidents.flatMap((incident, i) => (touched[i] ?? []).map((serviceSlug) => ({ incidentId: incident.id, serviceSlug }))),
  );
  await db.insert(schema.incidentUpdates).values(
    incidents.map((incident, i) => ({ incidentId: incident.id, status: i === 2 ? ('resolved' as const) : ('investigating' as const), message: 'Looking into it.', createdAt: at(3_000_000) })),
  );
  return now;
}

/** Drops and recreates `name` on the server at `adminUrl`; returns the new database's URL. */
export async function recreatePostgresDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An API key the load generator sends, the same in every database the harness seeds. */
export interface BenchKey {
  /** The `X-API-Key` header value. */
  key: string;
  prefix: string;
  secretHash: string;
}

/** Every endpoint but the status page needs credentials: the runs measure real, authorised calls. */
export function generateBenchKey(): BenchKey {
  return generateApiKey();
}

/**
 * An admin who owns the bench key, with every scope. The password hash is a placeholder no
 * password matches: nobody signs in as this user.
 */
async function seedBenchKey(db: Database, benchKey: BenchKey): Promise<void> {
  const [owner] = await db
    .insert(schema.users)
    .values({ email: 'bench@bastion.local', name: 'bench', role: 'admin', passwordHash: '!' })
    .returning({ id: schema.users.id });
  if (!owner) throw new Error('could not seed the bench user');
  await db.insert(schema.apiKeys).values({ ownerId: owner.id, name: 'bench', prefix: benchKey.prefix, secretHash: benchKey.secretHash, scopes: [...ALL_SCOPES] });
}

/** Migrates and seeds a database (PostgreSQL by URL, or PGlite in `dataDir`), then closes it. */
export async function prepareDatabase(target: { url: string } | { dataDir: string }, benchKey: BenchKey): Promise<Date> {
  const handle = await openDatabase('url' in target ? { url: target.url } : { dataDir: target.dataDir });
  try {
    await seedBenchKey(handle.db, benchKey);
    return await seedFleet(handle.db);
  } finally {
    await handle.close();
  }
}

/**
 * Deletes the heartbeats and audit rows a POST cell added, so every cell writes to the same tables
 * and every GET reads the same fleet. Left to grow, a run's audit log passes 800,000 rows (~280 MB,
 * beyond PostgreSQL's default shared buffers) and slows whichever cells come late in a round.
 */
export async function resetPostgres(url: string, cutoff: Date): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`delete from heartbeats where received_at > ${cutoff}`;
    // The audit log refuses deletes (a trigger). Replica mode skips ordinary triggers for this
    // transaction only; the bench's own database is the one place that may.
    await client.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from audit_log where at > ${cutoff}`;
    });
    await client.unsafe('vacuum analyze heartbeats, audit_log');
  } finally {
    await client.end();
  }
}
