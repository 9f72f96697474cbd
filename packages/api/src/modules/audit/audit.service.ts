import type { Database } from '@bastion/db';
import { preparedFor, schema } from '@bastion/db';
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
 * deletes it, and a database trigger refuses both.
 */
export async function writeAudit(deps: { db: Database; now: () => Date }, event: AuditEvent): Promise<void> {
  await insertAuditRow(deps.db).execute({
    at: deps.now(),
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    actorLabel: principalLabel(event.actor),
    action: event.action,
    target: event.target ?? null,
    result: event.result,
    requestId: event.requestId ?? null,
    ip: event.ip ?? null,
    detail: event.detail ?? null,
  });
}

// Prepared: every mutation writes one.
const insertAuditRow = preparedFor((db) =>
  db
    .insert(schema.auditLog)
    .values({
      at: sql.placeholder('at'),
      actorKind: sql.placeholder('actorKind'),
      actorId: sql.placeholder('actorId'),
      actorLabel: sql.placeholder('actorLabel'),
      action: sql.placeholder('action'),
      target: sql.placeholder('target'),
      result: sql.placeholder('result'),
      requestId: sql.placeholder('requestId'),
      ip: sql.placeholder('ip'),
      detail: sql.placeholder('detail'),
    })
    .prepare('insert_audit_row'),
);

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
