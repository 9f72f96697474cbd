import { coalescedFor, schema, type Database } from '@bastion/db';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { deriveStatuses, type DerivedStatus, type StatusFacts } from './service-status.js';

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
  return fleetFromFacts(now, await fleetFacts(db));
}

/**
 * The four queries, shared by the calls that ask at the same moment (`coalescedFor`: each still
 * sees its own earlier writes); each call derives statuses at its own `now`.
 */
const fleetFacts = coalescedFor((db) =>
  Promise.all([
    db.select().from(schema.services).orderBy(schema.services.slug),
    db
      .select({ from: schema.serviceDependencies.serviceId, to: schema.services.slug })
      .from(schema.serviceDependencies)
      .innerJoin(schema.services, eq(schema.services.id, schema.serviceDependencies.dependsOnId)),
    latestHeartbeats(db),
    db
      .select({
        id: schema.incidents.id,
        title: schema.incidents.title,
        severity: schema.incidents.severity,
        slug: schema.incidentServices.serviceSlug,
      })
      .from(schema.incidents)
      .innerJoin(schema.incidentServices, eq(schema.incidentServices.incidentId, schema.incidents.id))
      .where(ne(schema.incidents.status, 'resolved')),
  ]),
);

function fleetFromFacts(now: Date, [rows, edges, latest, open]: Awaited<ReturnType<typeof fleetFacts>>): Fleet {
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
  return { members, bySlug: new Map(members.map((m) => [m.row.slug, m])), dependents };
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

/** Percentage of `up` heartbeats per service over 24 h, 7 d and 30 d, in one aggregate query. */
export async function loadUptime(db: Database, serviceIds: string[], now: Date): Promise<Map<string, Uptime>> {
  const result = new Map<string, Uptime>();
  if (serviceIds.length === 0) return result;
  const h = schema.heartbeats;
  const since = (ms: number) => new Date(now.getTime() - ms);
  const window = (from: Date) => ({
    total: sql<number>`count(*) filter (where ${h.observedAt} >= ${from.toISOString()})`.mapWith(Number),
    up: sql<number>`count(*) filter (where ${h.observedAt} >= ${from.toISOString()} and ${h.status} = 'up')`.mapWith(Number),
  });
  const w24 = window(since(DAY_MS));
  const w7 = window(since(7 * DAY_MS));
  const rows = await db
    .select({
      serviceId: h.serviceId,
      t24: w24.total,
      u24: w24.up,
      t7: w7.total,
      u7: w7.up,
      t30: sql<number>`count(*)`.mapWith(Number),
      u30: sql<number>`count(*) filter (where ${h.status} = 'up')`.mapWith(Number),
    })
    .from(h)
    .where(and(inArray(h.serviceId, serviceIds), sql`${h.observedAt} >= ${since(30 * DAY_MS).toISOString()}`, sql`${h.observedAt} <= ${now.toISOString()}`))
    .groupBy(h.serviceId);
  for (const row of rows) {
    result.set(row.serviceId, { h24: percent(row.u24, row.t24), d7: percent(row.u7, row.t7), d30: percent(row.u30, row.t30) });
  }
  return result;
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
