import { preparedFor, schema, uuidArray, type Database } from '@bastion/db';
import { and, asc, desc, eq, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { conflict, invalidInput, notFound } from '../../common/errors.js';
import { decodeTimeCursor, encodeCursor } from '../../common/pagination.js';
import type {
  CreateIncidentInput,
  CreateIncidentUpdateInput,
  Incident,
  IncidentSummary,
  IncidentUpdate,
  ListIncidentsInput,
} from './incidents.schema.js';

interface Deps {
  db: Database;
  now: () => Date;
}

type IncidentRow = typeof schema.incidents.$inferSelect;
type UpdateRow = typeof schema.incidentUpdates.$inferSelect;

const i = schema.incidents;

function toSummary(row: IncidentRow, serviceSlugs: string[]): IncidentSummary {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    serviceSlugs,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

function toUpdate(row: UpdateRow): IncidentUpdate {
  return { id: row.id, incidentId: row.incidentId, status: row.status, message: row.message, createdAt: row.createdAt.toISOString() };
}

/** Built once per database; the ids go as one array parameter, so one statement serves any page. */
const incidentServicesOf = preparedFor((db) =>
  db
    .select()
    .from(schema.incidentServices)
    .where(sql`${schema.incidentServices.incidentId} = any(${sql.placeholder('incidentIds')}::uuid[])`)
    .orderBy(schema.incidentServices.serviceSlug)
    .prepare('incident_services_of'),
);

async function slugsByIncident(db: Database, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (ids.length === 0) return map;
  const rows = await incidentServicesOf(db).execute({ incidentIds: uuidArray(ids) });
  for (const row of rows) map.set(row.incidentId, [...(map.get(row.incidentId) ?? []), row.serviceSlug]);
  return map;
}

const newestOpenIncidents = preparedFor((db) =>
  db
    .select()
    .from(i)
    .where(ne(i.status, 'resolved'))
    .orderBy(desc(i.createdAt), desc(i.id))
    .limit(sql.placeholder('limit'))
    .prepare('newest_open_incidents'),
);

/** The newest open incidents, at most `limit`: what the public status summary lists (prepared: it is hit hardest). */
export async function newestOpenIncidentSummaries(db: Database, limit: number): Promise<IncidentSummary[]> {
  const rows = await newestOpenIncidents(db).execute({ limit });
  const slugs = await slugsByIncident(db, rows.map((r) => r.id));
  return rows.map((row) => toSummary(row, slugs.get(row.id) ?? []));
}

/** Incidents newest first, filtered by status (`open` = not resolved), severity and service. */
export async function listIncidents({ db }: Deps, input: ListIncidentsInput) {
  const filters: (SQL | undefined)[] = [];
  if (input.status === 'open') filters.push(ne(i.status, 'resolved'));
  else if (input.status) filters.push(eq(i.status, input.status));
  if (input.severity) filters.push(eq(i.severity, input.severity));
  if (input.service) {
    filters.push(
      inArray(
        i.id,
        db.select({ id: schema.incidentServices.incidentId }).from(schema.incidentServices).where(eq(schema.incidentServices.serviceSlug, input.service)),
      ),
    );
  }
  if (input.cursor) {
    const { at, id } = decodeTimeCursor(input.cursor);
    filters.push(or(lt(i.createdAt, at), and(eq(i.createdAt, at), lt(i.id, id))));
  }
  const rows = await db
    .select()
    .from(i)
    .where(and(...filters))
    .orderBy(desc(i.createdAt), desc(i.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const slugs = await slugsByIncident(db, page.map((r) => r.id));
  const last = page.at(-1);
  return {
    items: page.map((row) => toSummary(row, slugs.get(row.id) ?? [])),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
}

export async function getIncident({ db }: Deps, id: string): Promise<Incident> {
  const [row] = await db.select().from(i).where(eq(i.id, id));
  if (!row) throw notFound(`No incident with id "${id}".`);
  const [slugs, updates] = await Promise.all([
    slugsByIncident(db, [id]),
    db.select().from(schema.incidentUpdates).where(eq(schema.incidentUpdates.incidentId, id)).orderBy(asc(schema.incidentUpdates.createdAt), asc(schema.incidentUpdates.id)),
  ]);
  return { ...toSummary(row, slugs.get(id) ?? []), updates: updates.map(toUpdate) };
}

/** Declares an incident on existing services, with its first timeline entry. */
export async function declareIncident(deps: Deps, input: CreateIncidentInput): Promise<Incident> {
  const at = deps.now();
  const slugs = [...new Set(input.serviceSlugs)];
  const id = await deps.db.transaction(async (tx) => {
    const known = await tx.select({ slug: schema.services.slug }).from(schema.services).where(inArray(schema.services.slug, slugs));
    const knownSlugs = new Set(known.map((s) => s.slug));
    const unknown = input.serviceSlugs
      .map((slug, index) => ({ slug, index }))
      .filter(({ slug }) => !knownSlugs.has(slug));
    if (unknown.length > 0) {
      throw invalidInput(
        `Unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => u.slug).join(', ')}.`,
        unknown.map(({ slug, index }) => ({ pointer: `/serviceSlugs/${index}`, detail: `No service with slug "${slug}".` })),
      );
    }
    const [row] = await tx
      .insert(i)
      .values({ title: input.title, severity: input.severity, status: 'investigating', createdAt: at, updatedAt: at })
      .returning({ id: i.id });
    if (!row) throw new Error('insert returned no row');
    await tx.insert(schema.incidentServices).values(slugs.map((serviceSlug) => ({ incidentId: row.id, serviceSlug })));
    await tx.insert(schema.incidentUpdates).values({ incidentId: row.id, status: 'investigating', message: input.message, createdAt: at });
    return row.id;
  });
  return getIncident(deps, id);
}

/** Adds a timeline entry and moves the incident to its status; `resolved` closes it for good (409 after). */
export async function postIncidentUpdate(deps: Deps, input: CreateIncidentUpdateInput): Promise<IncidentUpdate> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const [incident] = await tx.select().from(i).where(eq(i.id, input.id)).for('update');
    if (!incident) throw notFound(`No incident with id "${input.id}".`);
    if (incident.status === 'resolved') {
      throw conflict(`Incident "${incident.title}" is resolved; declare a new incident instead.`);
    }
    await tx
      .update(i)
      .set({ status: input.status, updatedAt: at, resolvedAt: input.status === 'resolved' ? at : null })
      .where(eq(i.id, input.id));
    const [row] = await tx
      .insert(schema.incidentUpdates)
      .values({ incidentId: input.id, status: input.status, message: input.message, createdAt: at })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return toUpdate(row);
  });
}
