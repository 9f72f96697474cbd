import { preparedFor, schema, type Database } from '@bastion/db';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { invalidInput, notFound } from '../../common/errors.js';
import { decodeTimeCursor, encodeCursor } from '../../common/pagination.js';
import { MAX_CLOCK_SKEW_MS, type CreateHeartbeatInput, type Heartbeat, type ListHeartbeatsInput } from './heartbeats.schema.js';

interface Deps {
  db: Database;
  now: () => Date;
}

type HeartbeatRow = typeof schema.heartbeats.$inferSelect;

function toHeartbeat(row: HeartbeatRow, serviceSlug: string): Heartbeat {
  return {
    id: row.id,
    serviceSlug,
    status: row.status,
    latencyMs: row.latencyMs,
    message: row.message,
    observedAt: row.observedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
  };
}

// Prepared: every heartbeat a monitor reports runs these two.
const serviceIdBySlug = preparedFor((db) =>
  db.select({ id: schema.services.id }).from(schema.services).where(eq(schema.services.slug, sql.placeholder('slug'))).prepare('service_id_by_slug'),
);
const insertHeartbeat = preparedFor((db) =>
  db
    .insert(schema.heartbeats)
    .values({
      serviceId: sql.placeholder('serviceId'),
      status: sql.placeholder('status'),
      latencyMs: sql.placeholder('latencyMs'),
      message: sql.placeholder('message'),
      observedAt: sql.placeholder('observedAt'),
      receivedAt: sql.placeholder('receivedAt'),
    })
    .returning()
    .prepare('insert_heartbeat'),
);

async function serviceIdOf(db: Database, slug: string): Promise<string> {
  const [service] = await serviceIdBySlug(db).execute({ slug });
  if (!service) throw notFound(`No service with slug "${slug}".`);
  return service.id;
}

/** Records a heartbeat; `observedAt` may be in the past (backfill) but not beyond clock skew ahead. */
export async function recordHeartbeat({ db, now }: Deps, input: CreateHeartbeatInput): Promise<Heartbeat> {
  const receivedAt = now();
  const observedAt = input.observedAt ? new Date(input.observedAt) : receivedAt;
  if (observedAt.getTime() - receivedAt.getTime() > MAX_CLOCK_SKEW_MS) {
    throw invalidInput('observedAt is in the future.', [
      { pointer: '/observedAt', detail: `Must not be more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the server clock.` },
    ]);
  }
  const serviceId = await serviceIdOf(db, input.slug);
  const [row] = await insertHeartbeat(db).execute({
    serviceId,
    status: input.status,
    latencyMs: input.latencyMs ?? null,
    message: input.message ?? null,
    observedAt,
    receivedAt,
  });
  if (!row) throw new Error('insert returned no row');
  return toHeartbeat(row, input.slug);
}

/** A service's heartbeats, newest observation first. */
export async function listHeartbeats({ db }: Deps, input: ListHeartbeatsInput) {
  const serviceId = await serviceIdOf(db, input.slug);
  const h = schema.heartbeats;
  let after;
  if (input.cursor) {
    const { at, id } = decodeTimeCursor(input.cursor);
    after = or(lt(h.observedAt, at), and(eq(h.observedAt, at), lt(h.id, id)));
  }
  const rows = await db
    .select()
    .from(h)
    .where(and(eq(h.serviceId, serviceId), after))
    .orderBy(desc(h.observedAt), desc(h.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toHeartbeat(row, input.slug)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.observedAt.toISOString(), last.id]) : null,
  };
}
