import postgres from 'postgres';

/**
 * The database work of the four benchmarked endpoints, written by hand for the Node baselines
 * (native Fastify and raw node:http). It sends the same SQL Bastion's drizzle services send
 * (captured with drizzle's logger; `fastapi_app.py` sends the same text) and derives statuses
 * with the same rules, so a baseline differs from Bastion only in the layers above the database:
 * routing, validation, tRPC, serialisation.
 */

type Tier = 'critical' | 'high' | 'medium' | 'low';
type HeartbeatStatus = 'up' | 'degraded' | 'down';
type Severity = 'sev1' | 'sev2' | 'sev3' | 'sev4';
type ServiceStatus = 'operational' | 'unknown' | 'degraded' | 'partial_outage' | 'major_outage';

interface ServiceRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  owner: string;
  tier: Tier;
  heartbeat_interval_seconds: number;
  created_at: Date;
  updated_at: Date;
}

interface Reason {
  kind: 'incident' | 'heartbeat' | 'stale' | 'dependency';
  status: ServiceStatus;
  detail: string;
  ref: string | null;
}

interface Member {
  row: ServiceRow;
  dependsOn: string[];
  lastHeartbeatAt: Date | null;
  status: ServiceStatus;
  reasons: Reason[];
}

export interface ListServicesQuery {
  status?: ServiceStatus | undefined;
  tier?: Tier | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface HeartbeatBody {
  status: HeartbeatStatus;
  latencyMs?: number | undefined;
  message?: string | undefined;
  observedAt?: string | undefined;
}

/** What a handler does with a store error: 404 for a missing service, 422 for a bad cursor. */
export class StoreError extends Error {
  constructor(
    readonly status: 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

const SQL = {
  services:
    'select "id", "slug", "name", "description", "owner", "tier", "heartbeat_interval_seconds", "created_at", "updated_at" from "services" order by "services"."slug"',
  edges:
    'select "service_dependencies"."service_id", "services"."slug" from "service_dependencies" inner join "services" on "services"."id" = "service_dependencies"."depends_on_id"',
  latest:
    'select distinct on ("heartbeats"."service_id") "service_id", "status", "observed_at" from "heartbeats" order by "heartbeats"."service_id", "heartbeats"."observed_at" desc, "heartbeats"."id" desc',
  openBySlug:
    'select "incidents"."id", "incidents"."title", "incidents"."severity", "incident_services"."service_slug" from "incidents" inner join "incident_services" on "incident_services"."incident_id" = "incidents"."id" where "incidents"."status" <> $1',
  // drizzle writes `in ($5, $6, …)` with one parameter per id; `= any($5)` is the same plan with
  // one prepared statement whatever the page size. Aliases because postgres.js keys rows by name.
  uptime:
    'select "service_id", count(*) filter (where "observed_at" >= $1) as t24, count(*) filter (where "observed_at" >= $2 and "status" = \'up\') as u24, count(*) filter (where "observed_at" >= $3) as t7, count(*) filter (where "observed_at" >= $4 and "status" = \'up\') as u7, count(*) as t30, count(*) filter (where "status" = \'up\') as u30 from "heartbeats" where ("heartbeats"."service_id" = any($5::uuid[]) and "heartbeats"."observed_at" >= $6 and "heartbeats"."observed_at" <= $7) group by "heartbeats"."service_id"',
  serviceId: 'select "id" from "services" where "services"."slug" = $1',
  insertHeartbeat:
    'insert into "heartbeats" ("id", "service_id", "status", "latency_ms", "message", "observed_at", "received_at") values (default, $1, $2, $3, $4, $5, $6) returning "id", "service_id", "status", "latency_ms", "message", "observed_at", "received_at"',
  openIncidents:
    'select "id", "title", "severity", "status", "resolved_at", "created_at", "updated_at" from "incidents" where "incidents"."status" <> $1 order by "incidents"."created_at" desc, "incidents"."id" desc limit $2',
  incidentSlugs:
    'select "incident_id", "service_slug" from "incident_services" where "incident_services"."incident_id" = any($1::uuid[]) order by "incident_services"."service_slug"',
} as const;

const SEVERITY: Record<ServiceStatus, number> = { operational: 0, unknown: 1, degraded: 2, partial_outage: 3, major_outage: 4 };
const INCIDENT_STATUS = { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded', sev4: 'degraded' } as const;
const HEARTBEAT_STATUS = { down: 'major_outage', degraded: 'degraded', up: 'operational' } as const;
const DAY_MS = 86_400_000;

function worst(statuses: Iterable<ServiceStatus>): ServiceStatus {
  let result: ServiceStatus = 'operational';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[result]) result = s;
  return result;
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 100);

/** Opens a pool on `url` (same size as Bastion's default, 10) and returns the endpoint operations. */
export function createStore(url: string, maxConnections = 10) {
  const sql = postgres(url, { max: maxConnections, onnotice: () => {} });
  const query = <T extends object>(text: string, params: unknown[] = []) =>
    sql.unsafe<T[]>(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });

  async function loadFleet(now: Date): Promise<Member[]> {
    const [rows, edges, latest, open] = await Promise.all([
      query<ServiceRow>(SQL.services),
      query<{ service_id: string; slug: string }>(SQL.edges),
      query<{ service_id: string; status: HeartbeatStatus; observed_at: Date }>(SQL.latest),
      query<{ id: string; title: string; severity: Severity; service_slug: string }>(SQL.openBySlug, ['resolved']),
    ]);
    const slugById = new Map(rows.map((r) => [r.id, r.slug]));
    const dependsOn = new Map<string, string[]>();
    for (const e of edges) {
      const from = slugById.get(e.service_id);
      if (from) dependsOn.set(from, [...(dependsOn.get(from) ?? []), e.slug]);
    }
    const heartbeat = new Map(latest.map((h) => [h.service_id, h]));
    const incidents = new Map<string, { id: string; title: string; severity: Severity }[]>();
    for (const i of open) incidents.set(i.service_slug, [...(incidents.get(i.service_slug) ?? []), i]);

    const own = new Map<string, Reason[]>();
    for (const row of rows) {
      const reasons: Reason[] = [];
      for (const i of incidents.get(row.slug) ?? []) {
        reasons.push({ kind: 'incident', status: INCIDENT_STATUS[i.severity], detail: `Open ${i.severity} incident: ${i.title}`, ref: i.id });
      }
      const hb = heartbeat.get(row.id);
      const silentSince = hb?.observed_at ?? row.created_at;
      if (now.getTime() - silentSince.getTime() > 3 * row.heartbeat_interval_seconds * 1000) {
        reasons.push({
          kind: 'stale',
          status: 'unknown',
          detail: hb
            ? `No heartbeat since ${hb.observed_at.toISOString()} (expected every ${row.heartbeat_interval_seconds}s).`
            : `No heartbeat ever reported (expected every ${row.heartbeat_interval_seconds}s).`,
          ref: null,
        });
      }
      if (hb && hb.status !== 'up') {
        reasons.push({
          kind: 'heartbeat',
          status: HEARTBEAT_STATUS[hb.status],
          detail: `Last heartbeat reported ${hb.status} at ${hb.observed_at.toISOString()}.`,
          ref: null,
        });
      }
      own.set(row.slug, reasons);
    }
    return rows.map((row) => {
      const deps = [...(dependsOn.get(row.slug) ?? [])].sort();
      const reasons = [...(own.get(row.slug) ?? [])];
      for (const d of deps) {
        if (worst((own.get(d) ?? []).map((r) => r.status)) === 'major_outage') {
          reasons.push({ kind: 'dependency', status: 'degraded', detail: `Depends on ${d}, which is in a major outage.`, ref: d });
        }
      }
      return {
        row,
        dependsOn: deps,
        lastHeartbeatAt: heartbeat.get(row.id)?.observed_at ?? null,
        status: worst(reasons.map((r) => r.status)),
        reasons,
      };
    });
  }

  async function withUptime(members: Member[], now: Date) {
    const since = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const d1 = since(DAY_MS);
    const d7 = since(7 * DAY_MS);
    const rows = await query<{ service_id: string; t24: string; u24: string; t7: string; u7: string; t30: string; u30: string }>(SQL.uptime, [
      d1, d1, d7, d7, members.map((m) => m.row.id), since(30 * DAY_MS), now.toISOString(),
    ]);
    const uptime = new Map(
      rows.map((r) => [
        r.service_id,
        { h24: percent(Number(r.u24), Number(r.t24)), d7: percent(Number(r.u7), Number(r.t7)), d30: percent(Number(r.u30), Number(r.t30)) },
      ]),
    );
    return members.map(({ row, dependsOn, lastHeartbeatAt, status, reasons }) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      description: row.description,
      owner: row.owner,
      tier: row.tier,
      dependsOn,
      heartbeatIntervalSeconds: row.heartbeat_interval_seconds,
      status,
      statusReasons: reasons,
      lastHeartbeatAt: lastHeartbeatAt?.toISOString() ?? null,
      uptime: uptime.get(row.id) ?? { h24: null, d7: null, d30: null },
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  return {
    async listServices(input: ListServicesQuery) {
      const now = new Date();
      const fleet = await loadFleet(now);
      let after: string | undefined;
      if (input.cursor) {
        try {
          const parsed: unknown = JSON.parse(Buffer.from(input.cursor, 'base64url').toString('utf8'));
          if (!Array.isArray(parsed) || parsed.length !== 1 || typeof parsed[0] !== 'string') throw new Error('foreign');
          after = parsed[0];
        } catch {
          throw new StoreError(422, 'The cursor is not one this API issued.');
        }
      }
      const q = input.q?.toLowerCase();
      const matches = fleet.filter(
        ({ row, status }) =>
          (after === undefined || row.slug > after) &&
          (!input.status || status === input.status) &&
          (!input.tier || row.tier === input.tier) &&
          (!q || [row.slug, row.name, row.owner, row.description].some((f) => f.toLowerCase().includes(q))),
      );
      const page = matches.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: await withUptime(page, now),
        nextCursor: matches.length > input.limit && last ? Buffer.from(JSON.stringify([last.row.slug])).toString('base64url') : null,
      };
    },

    async recordHeartbeat(slug: string, body: HeartbeatBody) {
      const receivedAt = new Date();
      const observedAt = body.observedAt ? new Date(body.observedAt) : receivedAt;
      if (observedAt.getTime() - receivedAt.getTime() > 5 * 60_000) throw new StoreError(422, 'observedAt is in the future.');
      const [service] = await query<{ id: string }>(SQL.serviceId, [slug]);
      if (!service) throw new StoreError(404, `No service with slug "${slug}".`);
      const [row] = await query<{ id: string; status: HeartbeatStatus; latency_ms: number | null; message: string | null; observed_at: Date; received_at: Date }>(
        SQL.insertHeartbeat,
        [service.id, body.status, body.latencyMs ?? null, body.message ?? null, observedAt, receivedAt],
      );
      if (!row) throw new Error('insert returned no row');
      return {
        id: row.id,
        serviceSlug: slug,
        status: row.status,
        latencyMs: row.latency_ms,
        message: row.message,
        observedAt: row.observed_at.toISOString(),
        receivedAt: row.received_at.toISOString(),
      };
    },

    async statusSummary() {
      const now = new Date();
      const [fleet, open] = await Promise.all([
        loadFleet(now),
        query<{ id: string; title: string; severity: Severity; status: string; resolved_at: Date | null; created_at: Date; updated_at: Date }>(
          SQL.openIncidents,
          ['resolved', 101],
        ),
      ]);
      const page = open.slice(0, 100);
      const slugs = new Map<string, string[]>();
      if (page.length > 0) {
        for (const r of await query<{ incident_id: string; service_slug: string }>(SQL.incidentSlugs, [page.map((i) => i.id)])) {
          slugs.set(r.incident_id, [...(slugs.get(r.incident_id) ?? []), r.service_slug]);
        }
      }
      const services = fleet.map(({ row, status }) => ({ slug: row.slug, name: row.name, tier: row.tier, status }));
      return {
        indicator: worst(services.map((s) => s.status)),
        services,
        openIncidents: page.map((i) => ({
          id: i.id,
          title: i.title,
          severity: i.severity,
          status: i.status,
          serviceSlugs: slugs.get(i.id) ?? [],
          createdAt: i.created_at.toISOString(),
          updatedAt: i.updated_at.toISOString(),
          resolvedAt: i.resolved_at?.toISOString() ?? null,
        })),
        generatedAt: now.toISOString(),
      };
    },

    close: () => sql.end({ timeout: 5 }),
  };
}

export type Store = ReturnType<typeof createStore>;
