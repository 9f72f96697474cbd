import { randomUUID } from 'node:crypto';
import { batchedFor, jsonRecords, preparedFor, rowsOf, schema, wellFormed, type Database } from '@bastion/db';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { invalidInput, notFound } from '../../common/errors.js';
import type { AuditNote } from '../../trpc.js';
import { insertAuditSql, type AuditRecord } from '../audit/audit.service.js';
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

const serviceIdBySlug = preparedFor((db) =>
  db.select({ id: schema.services.id }).from(schema.services).where(eq(schema.services.slug, sql.placeholder('slug'))).prepare('service_id_by_slug'),
);

async function serviceIdOf(db: Database, slug: string): Promise<string> {
  const [service] = await serviceIdBySlug(db).execute({ slug });
  if (!service) throw notFound(`No service with slug "${slug}".`);
  return service.id;
}

interface HeartbeatWrite {
  heartbeat: Heartbeat;
  /** The call's success audit row, written only if the heartbeat is. */
  audit?: AuditRecord | undefined;
}

/**
 * Every heartbeat a monitor reports, from every caller waiting at that moment, in one statement
 * that also resolves the slugs (was: a lookup and an insert per heartbeat, each with its commit)
 * and writes the success audit row of each heartbeat stored, so a report waits for one commit.
 * Answers, per record, whether it was stored: a record is skipped only when its slug is unknown.
 */
const insertHeartbeats = batchedFor(async (db, writes: HeartbeatWrite[]) => {
  const heartbeats = writes.map((write) => write.heartbeat);
  const audits = writes.flatMap(({ heartbeat, audit }) => (audit ? [{ ...audit, heartbeat_id: heartbeat.id }] : []));
  // The recordset's columns are the answer's own field names, so the answer is what is sent.
  const stored = rowsOf(
    await db.execute(sql`
      with stored as (
        insert into heartbeats (id, service_id, status, latency_ms, message, observed_at, received_at)
        select v.id, s.id, v.status, v."latencyMs", v.message, v."observedAt", v."receivedAt"
        from json_to_recordset(${jsonRecords(heartbeats)}::json) as v(
          id uuid, "serviceSlug" text, status heartbeat_status, "latencyMs" integer, message text, "observedAt" timestamptz, "receivedAt" timestamptz
        )
        join services s on s.slug = v."serviceSlug"
        returning id
      ), audited as (${insertAuditSql(audits, { extraColumns: sql`heartbeat_id uuid`, join: sql`join stored on stored.id = v.heartbeat_id` })})
      select id from stored`),
  );
  const ids = new Set(stored.map((row) => String(row.id)));
  return heartbeats.map((heartbeat) => ids.has(heartbeat.id));
});

/**
 * Records a heartbeat; `observedAt` may be in the past (backfill) but not beyond clock skew ahead.
 * With the call's `audit` note, its success row is written in the same statement.
 */
export async function recordHeartbeat({ db, now }: Deps, input: CreateHeartbeatInput, audit?: AuditNote): Promise<Heartbeat> {
  const receivedAt = now();
  const observedAt = input.observedAt ? new Date(input.observedAt) : receivedAt;
  if (observedAt.getTime() - receivedAt.getTime() > MAX_CLOCK_SKEW_MS) {
    throw invalidInput('observedAt is in the future.', [
      { pointer: '/observedAt', detail: `Must not be more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the server clock.` },
    ]);
  }
  const heartbeat: Heartbeat = {
    id: randomUUID(),
    serviceSlug: input.slug,
    status: input.status,
    latencyMs: input.latencyMs ?? null,
    // Answered as stored, so a retry or a read later shows the same text.
    message: input.message === undefined ? null : wellFormed(input.message),
    observedAt: observedAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
  };
  const stored = await insertHeartbeats(db, { heartbeat, audit: audit?.takeSuccessRow(heartbeat) });
  // Not stored means an unknown slug; asking again on its own keeps a batch that came back empty
  // for another reason (a connection dying under it) from being answered as a 404.
  if (!stored) {
    await serviceIdOf(db, input.slug);
    throw new Error(`heartbeat for existing service "${input.slug}" was not stored`);
  }
  return heartbeat;
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
