import { schema, type Database } from '@bastion/db';
import { eq, max, sql } from 'drizzle-orm';
import { declareIncident, postIncidentUpdate } from '../modules/incidents/incidents.service.js';
import { createService } from '../modules/services/services.service.js';
import type { CreateServiceInput } from '../modules/services/services.schema.js';

export { DEMO_USERS, seedDemoUsers, type DemoUser } from './demo-users.js';

type HeartbeatStatus = (typeof schema.heartbeatStatus.enumValues)[number];
type HeartbeatRow = typeof schema.heartbeats.$inferInsert;

interface SeedContext {
  db: Database;
  now: () => Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const HISTORY_MS = 24 * HOUR;
/** Rows per INSERT: well under PostgreSQL's 65 535 bind parameters at 7 columns a row. */
const INSERT_CHUNK = 1000;
/** Serialises concurrent first starts on one PostgreSQL: an arbitrary constant key ("BSTN"). */
const SEED_LOCK_KEY = 0x4253_544e;

interface DemoService extends Omit<CreateServiceInput, 'heartbeatIntervalSeconds'> {
  heartbeatIntervalSeconds: number;
  /** Typical latency of a healthy check, in ms. */
  latencyMs: number;
  /** What the monitor saw `msAgo` before now; `up` unless the service's story says otherwise. */
  story?: (msAgo: number) => HeartbeatStatus;
}

const between = (msAgo: number, from: number, to: number) => msAgo >= from && msAgo < to;

/**
 * The demo fleet, dependencies before their callers. Its story at seed time:
 * - search-index lost quorum 35 minutes ago and is `down` (an open sev2 incident names it and
 *   catalog-api), so recommendations-api is degraded through its dependency alone;
 * - notifications-worker has reported `degraded` (a queue backlog) for the last 90 minutes;
 * - payments-api was slow for an hour last night, the subject of a resolved sev3 incident.
 */
const FLEET: readonly DemoService[] = [
  {
    slug: 'users-db',
    name: 'Users DB',
    description: 'PostgreSQL cluster holding accounts, sessions and preferences.',
    owner: 'team-identity',
    tier: 'critical',
    dependsOn: [],
    heartbeatIntervalSeconds: 600,
    latencyMs: 4,
  },
  {
    slug: 'ledger-db',
    name: 'Ledger DB',
    description: 'Append-only double-entry ledger for every money movement.',
    owner: 'team-payments',
    tier: 'critical',
    dependsOn: [],
    heartbeatIntervalSeconds: 600,
    latencyMs: 6,
  },
  {
    slug: 'search-index',
    name: 'Search Index',
    description: 'OpenSearch cluster behind product search and recommendations.',
    owner: 'team-discovery',
    tier: 'medium',
    dependsOn: [],
    heartbeatIntervalSeconds: 300,
    latencyMs: 35,
    story: (msAgo) => (msAgo < 35 * MINUTE ? 'down' : msAgo < 50 * MINUTE ? 'degraded' : 'up'),
  },
  {
    slug: 'auth-api',
    name: 'Auth API',
    description: 'Issues and verifies session tokens; OAuth login.',
    owner: 'team-identity',
    tier: 'critical',
    dependsOn: ['users-db'],
    heartbeatIntervalSeconds: 300,
    latencyMs: 18,
  },
  {
    slug: 'payments-api',
    name: 'Payments API',
    description: 'Card authorisation, capture and refunds.',
    owner: 'team-payments',
    tier: 'critical',
    dependsOn: ['auth-api', 'ledger-db'],
    heartbeatIntervalSeconds: 300,
    latencyMs: 120,
    story: (msAgo) => (between(msAgo, 13 * HOUR, 14 * HOUR + 5 * MINUTE) ? 'degraded' : 'up'),
  },
  {
    slug: 'catalog-api',
    name: 'Catalog API',
    description: 'Products, prices and availability for the storefront.',
    owner: 'team-discovery',
    tier: 'high',
    dependsOn: ['search-index'],
    heartbeatIntervalSeconds: 300,
    latencyMs: 45,
  },
  {
    slug: 'recommendations-api',
    name: 'Recommendations API',
    description: '“You may also like” and personalised home-page rails.',
    owner: 'team-discovery',
    tier: 'low',
    dependsOn: ['search-index', 'users-db'],
    heartbeatIntervalSeconds: 300,
    latencyMs: 80,
  },
  {
    slug: 'notifications-worker',
    name: 'Notifications Worker',
    description: 'Sends e-mail and push notifications from the outbox queue.',
    owner: 'team-engagement',
    tier: 'low',
    dependsOn: ['users-db'],
    heartbeatIntervalSeconds: 900,
    latencyMs: 250,
    story: (msAgo) => (msAgo < 90 * MINUTE ? 'degraded' : 'up'),
  },
  {
    slug: 'edge-gateway',
    name: 'Edge Gateway',
    description: 'Public HTTPS entry point: TLS, routing and rate limits.',
    owner: 'team-platform',
    tier: 'critical',
    dependsOn: ['auth-api', 'catalog-api', 'payments-api', 'recommendations-api'],
    heartbeatIntervalSeconds: 300,
    latencyMs: 12,
    story: (msAgo) => (between(msAgo, 7 * HOUR, 7 * HOUR + 10 * MINUTE) ? 'degraded' : 'up'),
  },
];

/**
 * Fills an empty database with a believable demo: nine services with dependencies, 24 hours of
 * heartbeats (about 2 100 rows), one open sev2 incident with a timeline and one resolved incident.
 * Does nothing — and says so — when any service exists, so it is safe on every start; concurrent
 * first starts on one PostgreSQL are serialised by an advisory lock, and a failure leaves nothing.
 *
 * @example
 * const { seeded } = await seedDemoData({ db, now: () => new Date() });
 */
export async function seedDemoData(ctx: SeedContext): Promise<{ seeded: boolean }> {
  const now = ctx.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const [existing] = await tx.select({ id: schema.services.id }).from(schema.services).limit(1);
    if (existing) return { seeded: false };

    // The catalogue has existed for as long as its history.
    const createdAt = ago(HISTORY_MS);
    const ids = new Map<string, string>();
    for (const service of FLEET) {
      const created = await createService({ db: tx, now: () => createdAt }, toCreateInput(service));
      ids.set(created.slug, created.id);
    }

    const rows = FLEET.flatMap((service) => heartbeatHistory(service, ids.get(service.slug), now));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await tx.insert(schema.heartbeats).values(rows.slice(start, start + INSERT_CHUNK));
    }

    const at = (msAgo: number) => ({ db: tx, now: () => ago(msAgo) });
    const outage = await declareIncident(at(30 * MINUTE), {
      title: 'Product search unavailable',
      severity: 'sev2',
      serviceSlugs: ['search-index', 'catalog-api'],
      message: 'Search queries are failing; catalog pages load without results. We are investigating.',
    });
    await postIncidentUpdate(at(20 * MINUTE), {
      id: outage.id,
      status: 'identified',
      message: 'The search-index cluster lost quorum after a data node ran out of disk.',
    });
    await postIncidentUpdate(at(10 * MINUTE), {
      id: outage.id,
      status: 'identified',
      message: 'A replacement node is rebuilding its shards; we expect search back within 30 minutes.',
    });

    const slowCards = await declareIncident(at(14 * HOUR), {
      title: 'Slow card authorisations',
      severity: 'sev3',
      serviceSlugs: ['payments-api', 'ledger-db'],
      message: 'Card authorisations take several seconds; some checkouts time out.',
    });
    await postIncidentUpdate(at(13 * HOUR + 40 * MINUTE), {
      id: slowCards.id,
      status: 'identified',
      message: 'A ledger-db query lost its index after the nightly reindex job.',
    });
    await postIncidentUpdate(at(13 * HOUR), {
      id: slowCards.id,
      status: 'resolved',
      message: 'Index rebuilt; authorisation latency is back to normal.',
    });
    return { seeded: true };
  });
}

function toCreateInput(service: DemoService): CreateServiceInput {
  const { slug, name, description, owner, tier, dependsOn, heartbeatIntervalSeconds } = service;
  return { slug, name, description, owner, tier, dependsOn, heartbeatIntervalSeconds };
}

/** A service's heartbeats over the last 24 hours, newest at most one interval before `now`. */
function heartbeatHistory(service: DemoService, serviceId: string | undefined, now: Date): HeartbeatRow[] {
  if (!serviceId) throw new Error(`demo seed: ${service.slug} was not created`);
  const random = mulberry32(hash(service.slug));
  const intervalMs = service.heartbeatIntervalSeconds * 1000;
  // Monitors do not all tick on the same second.
  const offsetMs = Math.floor(random() * Math.min(intervalMs, 60_000));
  const rows: HeartbeatRow[] = [];
  for (let msAgo = offsetMs; msAgo < HISTORY_MS; msAgo += intervalMs) {
    const status = service.story?.(msAgo) ?? 'up';
    const observedAt = new Date(now.getTime() - msAgo);
    const latencyMs = status === 'down' ? null : Math.round(service.latencyMs * (status === 'degraded' ? 8 : 1) * (0.7 + random() * 0.6));
    rows.push({
      serviceId,
      status,
      latencyMs,
      message: status === 'down' ? 'Connection refused' : status === 'degraded' ? `Slow response: ${latencyMs} ms` : null,
      observedAt,
      receivedAt: observedAt,
    });
  }
  return rows;
}

/** A small seeded PRNG, so every seed of the demo looks the same. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (const char of text) h = Math.imul(h ^ (char.codePointAt(0) ?? 0), 16_777_619);
  return h >>> 0;
}

/**
 * Plays the demo fleet's monitors: every demo service whose last heartbeat is at least one
 * interval old gets a new one, saying what its story says of now. Without it the demo would
 * turn `unknown` within minutes of starting. Returns how many heartbeats it reported.
 */
export async function reportDemoHeartbeats(ctx: SeedContext): Promise<number> {
  const now = ctx.now();
  const latest = await ctx.db
    .select({ id: schema.services.id, slug: schema.services.slug, last: max(schema.heartbeats.observedAt) })
    .from(schema.services)
    .leftJoin(schema.heartbeats, eq(schema.heartbeats.serviceId, schema.services.id))
    .groupBy(schema.services.id, schema.services.slug);
  const bySlug = new Map(latest.map((row) => [row.slug, row]));
  const rows: HeartbeatRow[] = [];
  for (const service of FLEET) {
    const row = bySlug.get(service.slug);
    if (!row) continue;
    const last = row.last?.getTime() ?? 0;
    if (now.getTime() - last < service.heartbeatIntervalSeconds * 1000) continue;
    const status = service.story?.(0) ?? 'up';
    rows.push({
      serviceId: row.id,
      status,
      latencyMs: status === 'down' ? null : service.latencyMs,
      message: status === 'down' ? 'Connection refused' : null,
      observedAt: now,
      receivedAt: now,
    });
  }
  if (rows.length > 0) await ctx.db.insert(schema.heartbeats).values(rows);
  return rows.length;
}
