import { schema, type Database } from '@bastion/db';
import { desc, eq, like, sql } from 'drizzle-orm';
import ipaddr from 'ipaddr.js';
import { principalLabel, type Principal } from '../../auth/principal.js';
import { invalidInput, notFound, conflict } from '../../common/errors.js';
import { toAuditEntry } from '../audit/audit.service.js';
import type { AuditEntry } from '../audit/audit.schema.js';
import {
  addressInRange,
  normaliseRange,
  RATE_LIMIT_WINDOW_SECONDS,
  switchTargetProblem,
  targetLimitProblem,
  type BlockRule,
  type ProcedureCatalogue,
  type RateLimitTable,
  type SwitchRule,
  type TargetLimitRule,
} from './controls.rules.js';
import type {
  Actor,
  BlockOutput,
  CreateBlockInput,
  RateLimitsInput,
  RateLimitsOutput,
  SetSwitchInput,
  SetTargetLimitInput,
  SwitchOutput,
  TargetLimitOutput,
} from './controls.schema.js';

interface Deps {
  db: Database;
  now: () => Date;
}

/** What a transaction sees; the same query builder as the database. */
type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

const STATE_ROW = 1;

function changedByOf(actor: Principal, at: Date) {
  return { changedByKind: actor.kind, changedById: actor.id, changedByLabel: principalLabel(actor), changedAt: at };
}

function actorOf(row: { kind: string | null; id: string | null; label: string | null }): Actor {
  return { kind: (row.kind ?? 'anonymous') as Actor['kind'], id: row.id, label: row.label };
}

/**
 * Every change goes through here, in the transaction that makes it: the version the instances
 * poll goes up exactly when a change commits.
 */
async function bumpVersion(tx: Tx): Promise<number> {
  const t = schema.controlsState;
  const [row] = await tx
    .insert(t)
    .values({ id: STATE_ROW, version: 1 })
    .onConflictDoUpdate({ target: t.id, set: { version: sql`${t.version} + 1` } })
    .returning({ version: t.version });
  return row?.version ?? 0;
}

/** The stored version; 0 before the first change. Cheap: the poll runs it every second. */
export async function readControlsVersion(db: Database): Promise<number> {
  const [row] = await db.select({ version: schema.controlsState.version }).from(schema.controlsState).where(eq(schema.controlsState.id, STATE_ROW));
  return row?.version ?? 0;
}

/** Everything an instance needs to enforce the controls, read at one version. */
export async function loadControls(
  db: Database,
  defaults: RateLimitTable,
): Promise<{ version: number; switches: SwitchRule[]; blocks: BlockRule[]; rateLimits: RateLimitTable; targetLimits: TargetLimitRule[] }> {
  // Version first: a change committing in between makes the next poll load again, never skip one.
  const [state] = await db.select().from(schema.controlsState).where(eq(schema.controlsState.id, STATE_ROW));
  const switches = await db.select().from(schema.controlSwitches);
  const blocks = await db.select().from(schema.controlBlocks);
  const targetLimits = await db.select().from(schema.controlTargetLimits);
  return {
    version: state?.version ?? 0,
    switches: switches.map((row) => ({ target: row.target, state: row.state, reason: row.reason, retryAfterSeconds: row.retryAfterSeconds })),
    blocks: blocks.map((row) => ({ id: row.id, kind: row.kind, value: row.value, reason: row.reason, expiresAt: row.expiresAt })),
    rateLimits: state?.rateLimits ?? defaults,
    targetLimits: targetLimits.map((row) => ({ target: row.target, perMinute: row.perMinute, reason: row.reason })),
  };
}

function toSwitchOutput(row: typeof schema.controlSwitches.$inferSelect): SwitchOutput {
  return {
    target: row.target,
    state: row.state,
    reason: row.reason,
    retryAfterSeconds: row.retryAfterSeconds,
    changedBy: actorOf({ kind: row.changedByKind, id: row.changedById, label: row.changedByLabel }),
    changedAt: row.changedAt.toISOString(),
  };
}

function toBlockOutput(row: typeof schema.controlBlocks.$inferSelect): BlockOutput {
  return {
    id: row.id,
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    changedBy: actorOf({ kind: row.changedByKind, id: row.changedById, label: row.changedByLabel }),
    changedAt: row.changedAt.toISOString(),
  };
}

function toTargetLimitOutput(row: typeof schema.controlTargetLimits.$inferSelect): TargetLimitOutput {
  return {
    target: row.target,
    perMinute: row.perMinute,
    reason: row.reason,
    changedBy: actorOf({ kind: row.changedByKind, id: row.changedById, label: row.changedByLabel }),
    changedAt: row.changedAt.toISOString(),
  };
}

export async function listSwitches(deps: Deps): Promise<SwitchOutput[]> {
  const rows = await deps.db.select().from(schema.controlSwitches).orderBy(schema.controlSwitches.target);
  return rows.map(toSwitchOutput);
}

export async function listBlocks(deps: Deps): Promise<BlockOutput[]> {
  const rows = await deps.db.select().from(schema.controlBlocks).orderBy(desc(schema.controlBlocks.changedAt));
  return rows.map(toBlockOutput);
}

export async function readRateLimits(deps: Deps, defaults: RateLimitTable): Promise<RateLimitsOutput> {
  const [state] = await deps.db.select().from(schema.controlsState).where(eq(schema.controlsState.id, STATE_ROW));
  const limits = state?.rateLimits;
  return {
    ...(limits ?? defaults),
    windowSeconds: RATE_LIMIT_WINDOW_SECONDS,
    source: limits ? 'override' : 'defaults',
    defaults,
    changedBy: state?.rateLimitsChangedAt
      ? actorOf({ kind: state.rateLimitsChangedByKind, id: state.rateLimitsChangedById, label: state.rateLimitsChangedByLabel })
      : null,
    changedAt: state?.rateLimitsChangedAt?.toISOString() ?? null,
  };
}

/** The last control changes from the audit log (done, failed or refused), newest first. */
export async function recentControlChanges(deps: Deps, limit = 20): Promise<AuditEntry[]> {
  const t = schema.auditLog;
  const rows = await deps.db.select().from(t).where(like(t.action, 'controls.%')).orderBy(desc(t.at), desc(t.id)).limit(limit);
  return rows.map(toAuditEntry);
}

/** Sets (or replaces) the switch on `input.target`: 404 for a target that names nothing, 422 for an always-on module. */
export async function setSwitch(deps: Deps, actor: Principal, catalogue: ProcedureCatalogue, input: SetSwitchInput): Promise<SwitchOutput> {
  const problem = switchTargetProblem(catalogue, input.target, input.state);
  if (problem?.kind === 'unknown') throw notFound(problem.message);
  if (problem) throw invalidInput(problem.message, [{ pointer: '/target', detail: problem.message }]);
  const values = {
    target: input.target,
    state: input.state,
    reason: input.reason || null,
    retryAfterSeconds: input.retryAfterSeconds,
    ...changedByOf(actor, deps.now()),
  };
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(schema.controlSwitches)
      .values(values)
      .onConflictDoUpdate({ target: schema.controlSwitches.target, set: values })
      .returning();
    await bumpVersion(tx);
    if (!row) throw new Error('switch upsert returned no row');
    return toSwitchOutput(row);
  });
}

export async function deleteSwitch(deps: Deps, target: string): Promise<SwitchOutput> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.delete(schema.controlSwitches).where(eq(schema.controlSwitches.target, target)).returning();
    if (!row) throw notFound(`No switch on \`${target}\`.`);
    await bumpVersion(tx);
    return toSwitchOutput(row);
  });
}

export async function listTargetLimits(deps: Deps): Promise<TargetLimitOutput[]> {
  const rows = await deps.db.select().from(schema.controlTargetLimits).orderBy(schema.controlTargetLimits.target);
  return rows.map(toTargetLimitOutput);
}

/**
 * Sets (or replaces) the per-target limit on `input.target`: 404 for a target that names nothing,
 * 422 for `*` and the modules that always answer.
 */
export async function setTargetLimit(deps: Deps, actor: Principal, catalogue: ProcedureCatalogue, input: SetTargetLimitInput): Promise<TargetLimitOutput> {
  const problem = targetLimitProblem(catalogue, input.target);
  if (problem?.kind === 'unknown') throw notFound(problem.message);
  if (problem) throw invalidInput(problem.message, [{ pointer: '/target', detail: problem.message }]);
  const values = { target: input.target, perMinute: input.perMinute, reason: input.reason || null, ...changedByOf(actor, deps.now()) };
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(schema.controlTargetLimits)
      .values(values)
      .onConflictDoUpdate({ target: schema.controlTargetLimits.target, set: values })
      .returning();
    await bumpVersion(tx);
    if (!row) throw new Error('target limit upsert returned no row');
    return toTargetLimitOutput(row);
  });
}

export async function deleteTargetLimit(deps: Deps, target: string): Promise<TargetLimitOutput> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.delete(schema.controlTargetLimits).where(eq(schema.controlTargetLimits.target, target)).returning();
    if (!row) throw notFound(`No rate limit on \`${target}\`.`);
    await bumpVersion(tx);
    return toTargetLimitOutput(row);
  });
}

export async function setRateLimits(deps: Deps, actor: Principal, input: RateLimitsInput, defaults: RateLimitTable): Promise<RateLimitsOutput> {
  const t = schema.controlsState;
  const by = changedByOf(actor, deps.now());
  const values = {
    rateLimits: { anonymous: { ...input.anonymous }, principal: { ...input.principal } },
    rateLimitsChangedByKind: by.changedByKind,
    rateLimitsChangedById: by.changedById,
    rateLimitsChangedByLabel: by.changedByLabel,
    rateLimitsChangedAt: by.changedAt,
  };
  await deps.db
    .insert(t)
    .values({ id: STATE_ROW, version: 1, ...values })
    .onConflictDoUpdate({ target: t.id, set: { version: sql`${t.version} + 1`, ...values } });
  return readRateLimits(deps, defaults);
}

/** Back to the start-up settings; the change is still recorded (who, when). */
export async function resetRateLimits(deps: Deps, actor: Principal): Promise<void> {
  const t = schema.controlsState;
  const by = changedByOf(actor, deps.now());
  const values = {
    rateLimits: null,
    rateLimitsChangedByKind: by.changedByKind,
    rateLimitsChangedById: by.changedById,
    rateLimitsChangedByLabel: by.changedByLabel,
    rateLimitsChangedAt: by.changedAt,
  };
  await deps.db
    .insert(t)
    .values({ id: STATE_ROW, version: 1, ...values })
    .onConflictDoUpdate({ target: t.id, set: { version: sql`${t.version} + 1`, ...values } });
}

/** The caller, as far as a block could reach it. */
export interface Self {
  principal: Principal;
  ip: string | undefined;
}

function blocksSelf(kind: CreateBlockInput['kind'], value: string, self: Self): boolean {
  const { principal } = self;
  switch (kind) {
    case 'user':
      return (principal.kind === 'user' && principal.id === value) || (principal.kind === 'apiKey' && principal.ownerId === value);
    case 'apiKey':
      return principal.kind === 'apiKey' && principal.id === value;
    case 'ip':
      return ipaddr.isValidCIDR(value) && addressInRange(self.ip, ipaddr.parseCIDR(value));
  }
}

async function exists(db: Database, kind: 'user' | 'apiKey', id: string): Promise<boolean> {
  const table = kind === 'user' ? schema.users : schema.apiKeys;
  const rows = await db.select({ id: table.id }).from(table).where(eq(table.id, id)).limit(1);
  return rows.length > 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Adds a block-list entry. Refused (422) when the value is not an existing user or key, or not an
 * address or range, and when it would block the caller itself: an operator locking themselves out
 * mid-incident helps nobody.
 */
export async function createBlock(deps: Deps, self: Self, input: CreateBlockInput): Promise<BlockOutput> {
  const reject = (detail: string) => invalidInput(detail, [{ pointer: '/value', detail }]);
  let value = input.value;
  if (input.kind === 'ip') {
    const range = normaliseRange(value);
    if (!range) throw reject('Expected an IPv4 or IPv6 address or CIDR range, e.g. `203.0.113.0/24`.');
    value = range;
  } else {
    const what = input.kind === 'user' ? 'user' : 'API key';
    if (!UUID.test(value) || !(await exists(deps.db, input.kind, value))) throw reject(`No ${what} with id \`${value}\`.`);
    value = value.toLowerCase();
  }
  if (blocksSelf(input.kind, value, self)) throw reject('This entry would block you (the caller making the change).');
  if (input.expiresAt && new Date(input.expiresAt) <= deps.now()) {
    throw invalidInput('expiresAt is in the past.', [{ pointer: '/expiresAt', detail: 'Must be in the future.' }]);
  }
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(schema.controlBlocks)
      .values({
        kind: input.kind,
        value,
        reason: input.reason || null,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        ...changedByOf(self.principal, deps.now()),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw conflict(`\`${value}\` is already on the block list.`);
    await bumpVersion(tx);
    return toBlockOutput(row);
  });
}

export async function deleteBlock(deps: Deps, id: string): Promise<BlockOutput> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.delete(schema.controlBlocks).where(eq(schema.controlBlocks.id, id)).returning();
    if (!row) throw notFound(`No block-list entry ${id}.`);
    await bumpVersion(tx);
    return toBlockOutput(row);
  });
}
