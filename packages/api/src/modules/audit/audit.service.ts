import { randomUUID } from 'node:crypto';
import { batchedFor, jsonRecords, schema, type Database } from '@bastion/db';
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { decodeTimeCursor, encodeCursor } from '../../common/pagination.js';
import { principalLabel, type Principal } from '../../auth/principal.js';
import type { AuditEntry, ListAuditInput } from './audit.schema.js';

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  actor: Principal;
  action: string;
  target?: string | null | undefined;
  result: AuditResult;
  detail?: Record<string, unknown> | undefined;
  requestId?: string | undefined;
  ip?: string | undefined;
}

/**
 * Appends one row to the audit log. The only write the log ever sees: no code path updates or
 * deletes it, and a database trigger refuses both. Resolves once the row is committed.
 */
export async function writeAudit(deps: { db: Database; now: () => Date }, event: AuditEvent): Promise<void> {
  await insertAuditRows(deps.db, auditRecordOf(deps, event));
}

/** An audit row as the insert statements take it (the log's own column names). */
export interface AuditRecord {
  id: string;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target: string | null;
  result: AuditResult;
  request_id: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

/** The row `event` becomes, stamped now with a fresh id. */
export function auditRecordOf(deps: { now: () => Date }, event: AuditEvent): AuditRecord {
  return {
    id: randomUUID(),
    at: deps.now().toISOString(),
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    actor_label: principalLabel(event.actor),
    action: event.action,
    target: event.target ?? null,
    result: event.result,
    request_id: event.requestId ?? null,
    ip: event.ip ?? null,
    detail: event.detail ?? null,
  };
}

/**
 * Inserts the audit rows of `recordset`, a `json_to_recordset(...) as v(...)` over `records` with
 * `extraColumns` (e.g. a key to join on) after the row's own; `join` may narrow it to the rows
 * whose work was done. A mutation that writes its success row in its own statement uses this as
 * a CTE, so the row commits with the work (see `AuditNote.successRow`).
 */
export function insertAuditSql(records: readonly AuditRecord[], { extraColumns, join }: { extraColumns?: SQL; join?: SQL } = {}): SQL {
  return sql`
    insert into audit_log (id, at, actor_kind, actor_id, actor_label, action, target, result, request_id, ip, detail)
    select v.id, v.at, v.actor_kind, v.actor_id, v.actor_label, v.action, v.target, v.result, v.request_id, v.ip, v.detail
    from json_to_recordset(${jsonRecords(records)}::json) as v(
      id uuid, at timestamptz, actor_kind text, actor_id text, actor_label text, action text, target text,
      result audit_result, request_id text, ip text, detail jsonb${extraColumns ? sql`, ${extraColumns}` : sql``}
    )${join ? sql` ${join}` : sql``}
    on conflict (id) do nothing`;
}

/**
 * Every mutation writes a row, so the rows of all mutations finishing at one moment go in one
 * statement. Ids are ours, so a batch retried row by row after a failure that did commit (a
 * connection lost on the reply) cannot write a row twice.
 */
const insertAuditRows = batchedFor(async (db, records: AuditRecord[]) => {
  await db.execute(insertAuditSql(records));
  return records.map(() => undefined);
});

/** Audit rows newest first, filtered by actor, action, result and time; cursor-paginated. */
export async function listAudit(deps: { db: Database }, input: ListAuditInput): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const t = schema.auditLog;
  const where: SQL[] = [];
  if (input.actor) where.push(eq(t.actorId, input.actor));
  if (input.action) where.push(eq(t.action, input.action));
  if (input.result) where.push(eq(t.result, input.result));
  if (input.from) where.push(gte(t.at, new Date(input.from)));
  if (input.to) where.push(lt(t.at, new Date(input.to)));
  if (input.cursor) {
    const { at, id } = decodeTimeCursor(input.cursor);
    const before = or(lt(t.at, at), and(eq(t.at, at), lt(t.id, id)));
    if (before) where.push(before);
  }
  const rows = await deps.db
    .select()
    .from(t)
    .where(and(...where))
    .orderBy(desc(t.at), desc(t.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAuditEntry),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
  };
}

/** One stored row as the API shows it. */
export function toAuditEntry(row: typeof schema.auditLog.$inferSelect): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { kind: row.actorKind as AuditEntry['actor']['kind'], id: row.actorId, label: row.actorLabel },
    action: row.action,
    target: row.target,
    result: row.result,
    requestId: row.requestId,
    ip: row.ip,
    detail: row.detail ?? null,
  };
}
