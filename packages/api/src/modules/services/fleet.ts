import { preparedFor, schema, snapshotKeptByKeyFor, snapshotKeptFor, uuidArray, type Database } from '@bastion/db';
import { and, desc, eq, ne, sql, type SQL } from 'drizzle-orm';
import { deriveStatuses, lastFreshMoment, type DerivedStatus, type StatusFacts } from './service-status.js';

export type ServiceRow = typeof schema.services.$inferSelect;

export interface FleetMember {
  row: ServiceRow;
  dependsOn: string[];
  lastHeartbeatAt: Date | null;
  derived: DerivedStatus;
}

/** The whole catalogue with derived statuses, sorted by slug: what lists and the status page read. */
export interface Fleet {
  members: FleetMember[];
  bySlug: Map<string, FleetMember>;
  /** slug → slugs of the services that call it directly. */
  dependents: Map<string, string[]>;
}

/**
 * Loads every service with the facts its status depends on, in four indexed queries. Status is
 * derived from the whole graph (a dependency's outage degrades its callers), so even one service's
 * status needs its dependencies' facts; the catalogue is small enough to read whole.
 */
export async function loadFleet(db: Database, now: Date): Promise<Fleet> {
  return fleetAt(now, await fleetFacts(db));
}

/** The four queries, built once per database (prepared) rather than on every read. */
const fleetQueries = preparedFor((db) => ({
  services: db.select().from(schema.services).orderBy(schema.services.slug).prepare('fleet_services'),
  edges: db
    .select({ from: schema.serviceDependencies.serviceId, to: schema.services.slug })
    .from(schema.serviceDependencies)
    .innerJoin(schema.services, eq(schema.services.id, schema.serviceDependencies.dependsOnId))
    .prepare('fleet_dependencies'),
  latest: latestHeartbeats(db).prepare('fleet_latest_heartbeats'),
  open: db
    .select({
      id: schema.incidents.id,
      title: schema.incidents.title,
      severity: schema.incidents.severity,
      slug: schema.incidentServices.serviceSlug,
    })
    .from(schema.incidents)
    .innerJoin(schema.incidentServices, eq(schema.incidentServices.incidentId, schema.incidents.id))
    .where(ne(schema.incidents.status, 'resolved'))
    .prepare('fleet_open_incidents'),
}));

/**
 * The four queries, run again only once something has committed since the last run
 * (`snapshotKeptFor`: each call still sees its own earlier writes, and another instance's).
 */
const fleetFacts = snapshotKeptFor((db) => {
  const queries = fleetQueries(db);
  return Promise.all([queries.services.execute(), queries.edges.execute(), queries.latest.execute(), queries.open.execute()]);
});

type FleetFacts = Awaited<ReturnType<typeof fleetFacts>>;

/** A fleet derived from one read, and the last moment its statuses stay exact. */
const derivedFleets = new WeakMap<FleetFacts, { from: number; until: number; fleet: Fleet }>();

/**
 * The fleet as of `now`. Time changes a status only by making a silent service stale, so a fleet
 * derived from the same read is exact until the next service would turn stale: the calls sharing
 * one read share one derivation instead of each deriving the whole catalogue (which was most of a
 * `GET /services` under load).
 */
function fleetAt(now: Date, facts: FleetFacts): Fleet {
  const at = now.getTime();
  const derived = derivedFleets.get(facts);
  if (derived && at >= derived.from && at <= derived.until) return derived.fleet;
  const { fleet, freshUntil } = fleetFromFacts(now, facts);
  derivedFleets.set(facts, { from: at, until: freshUntil, fleet });
  return fleet;
}

function fleetFromFacts(now: Date, [rows, edges, latest, open]: FleetFacts): { fleet: Fleet; freshUntil: number } {
  const slugById = new Map(rows.map((row) => [row.id, row.slug]));
  const dependsOn = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const edge of edges) {
    const from = slugById.get(edge.from);
    if (!from) continue;
    push(dependsOn, from, edge.to);
    push(dependents, edge.to, from);
  }
  const heartbeatById = new Map(latest.map((h) => [h.serviceId, h]));
  const incidentsBySlug = new Map<string, StatusFacts['openIncidents'][number][]>();
  for (const incident of open) push(incidentsBySlug, incident.slug, incident);

  const facts: StatusFacts[] = rows.map((row) => {
    const heartbeat = heartbeatById.get(row.id);
    return {
      slug: row.slug,
      createdAt: row.createdAt,
      heartbeatIntervalSeconds: row.heartbeatIntervalSeconds,
      dependsOn: sorted(dependsOn.get(row.slug)),
      lastHeartbeat: heartbeat ? { status: heartbeat.status, observedAt: heartbeat.observedAt } : null,
      openIncidents: incidentsBySlug.get(row.slug) ?? [],
    };
  });
  const derived = deriveStatuses(facts, now);
  const members = rows.map((row, i) => ({
    row,
    dependsOn: facts[i]?.dependsOn.slice() ?? [],
    lastHeartbeatAt: heartbeatById.get(row.id)?.observedAt ?? null,
    derived: derived.get(row.slug) ?? { status: 'operational' as const, reasons: [] },
  }));
  for (const [slug, list] of dependents) dependents.set(slug, sorted(list));
  // Services already stale stay so; the others turn stale one by one, the first at `freshUntil`.
  let freshUntil = Number.POSITIVE_INFINITY;
  for (const f of facts) {
    const fresh = lastFreshMoment(f);
    if (fresh >= now.getTime()) freshUntil = Math.min(freshUntil, fresh);
  }
  return { fleet: { members, bySlug: new Map(members.map((m) => [m.row.slug, m])), dependents }, freshUntil };
}

/**
 * Each service's newest heartbeat: one index probe per service (LATERAL … LIMIT 1 on
 * `heartbeats_service_observed_idx`) rather than `DISTINCT ON` over the whole table, whose cost
 * grows with every heartbeat ever reported (measured: it dominated `GET /services`).
 */
function latestHeartbeats(db: Database) {
  const h = schema.heartbeats;
  const newest = db
    .select({ status: h.status, observedAt: h.observedAt })
    .from(h)
    .where(eq(h.serviceId, schema.services.id))
    .orderBy(desc(h.observedAt), desc(h.id))
    .limit(1)
    .as('newest');
  return db
    .select({ serviceId: schema.services.id, status: newest.status, observedAt: newest.observedAt })
    .from(schema.services)
    .innerJoinLateral(newest, sql`true`);
}

export interface Uptime {
  h24: number | null;
  d7: number | null;
  d30: number | null;
}

const DAY_MS = 86_400_000;
const WINDOWS_MS = { h24: DAY_MS, d7: 7 * DAY_MS, d30: 30 * DAY_MS } as const;

/**
 * The uptime aggregate, built once per database; what varies is bound at each call. Beside the
 * counts, the oldest heartbeat inside each window and the first one still ahead of `until`: the
 * moments the counts change as time passes with nothing written.
 */
const uptimeQuery = preparedFor((db) => {
  const h = schema.heartbeats;
  const counted = sql`${h.observedAt} <= ${sql.placeholder('until')}`;
  const inWindow = (window: string) => sql`${h.observedAt} >= ${sql.placeholder(window)} and ${counted}`;
  const total = (where: SQL) => sql<number>`count(*) filter (where ${where})`.mapWith(Number);
  const up = (where: SQL) => sql<number>`count(*) filter (where ${where} and ${h.status} = 'up')`.mapWith(Number);
  // Null when no heartbeat matches (drizzle decodes only values that are there).
  const moment = (value: string): Date | null => h.observedAt.mapFromDriverValue(value) as Date;
  const oldest = (where: SQL) => sql`min(${h.observedAt}) filter (where ${where})`.mapWith(moment);
  return db
    .select({
      serviceId: h.serviceId,
      t24: total(inWindow('since24h')),
      u24: up(inWindow('since24h')),
      t7: total(inWindow('since7d')),
      u7: up(inWindow('since7d')),
      t30: total(counted),
      u30: up(counted),
      oldest24: oldest(inWindow('since24h')),
      oldest7: oldest(inWindow('since7d')),
      oldest30: oldest(counted),
      nextAhead: sql`min(${h.observedAt}) filter (where ${h.observedAt} > ${sql.placeholder('until')})`.mapWith(moment),
    })
    .from(h)
    .where(and(sql`${h.serviceId} = any(${sql.placeholder('serviceIds')}::uuid[])`, sql`${h.observedAt} >= ${sql.placeholder('since30d')}`))
    .groupBy(h.serviceId)
    .prepare('service_uptime');
});

interface UptimeAsOf {
  byServiceId: Map<string, Uptime>;
  /** The instant the counts are of, and the last one they stay exact at (ms). */
  from: number;
  until: number;
}

/**
 * The aggregate, kept while nothing commits (`snapshotKeptByKeyFor`) and time moves no heartbeat
 * into or out of a window: list pages and status widgets ask for the same services over and over.
 */
const uptimeOf = snapshotKeptByKeyFor(
  async (db, { serviceIds, now }: { serviceIds: string[]; now: Date }): Promise<UptimeAsOf> => {
    const at = now.getTime();
    const since = (ms: number) => new Date(at - ms).toISOString();
    const rows = await uptimeQuery(db).execute({
      serviceIds: uuidArray(serviceIds),
      since24h: since(WINDOWS_MS.h24),
      since7d: since(WINDOWS_MS.d7),
      since30d: since(WINDOWS_MS.d30),
      until: now.toISOString(),
    });
    const byServiceId = new Map<string, Uptime>();
    let until = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      byServiceId.set(row.serviceId, { h24: percent(row.u24, row.t24), d7: percent(row.u7, row.t7), d30: percent(row.u30, row.t30) });
      // A heartbeat leaves a window once it is older than the window; one ahead enters when reached.
      if (row.oldest24) until = Math.min(until, row.oldest24.getTime() + WINDOWS_MS.h24);
      if (row.oldest7) until = Math.min(until, row.oldest7.getTime() + WINDOWS_MS.d7);
      if (row.oldest30) until = Math.min(until, row.oldest30.getTime() + WINDOWS_MS.d30);
      if (row.nextAhead) until = Math.min(until, row.nextAhead.getTime() - 1);
    }
    return { byServiceId, from: at, until };
  },
  {
    key: ({ serviceIds }) => serviceIds.join(','),
    answers: (kept, { now }) => kept.from <= now.getTime() && now.getTime() <= kept.until,
    maxKeys: 64,
  },
);

/** Percentage of `up` heartbeats per service over 24 h, 7 d and 30 d, in one aggregate query. */
export async function loadUptime(db: Database, serviceIds: string[], now: Date): Promise<Map<string, Uptime>> {
  if (serviceIds.length === 0) return new Map();
  return (await uptimeOf(db, { serviceIds, now })).byServiceId;
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 100;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sorted(list: string[] | undefined): string[] {
  return list ? [...list].sort() : [];
}
