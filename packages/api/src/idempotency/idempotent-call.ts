import { rowsOf, type Database } from '@bastion/db';
import { idempotencyKeys } from '@bastion/db/schema';
import { and, eq, lte, sql } from 'drizzle-orm';
import { IDEMPOTENCY_KEY_TTL_MS, idempotencyKeyInUse, idempotencyKeyMismatch } from './idempotency-key.js';

export interface IdempotentRequest {
  db: Database;
  now: () => Date;
  /** From `idempotencyScope`: the principal the key belongs to. */
  scope: string;
  key: string;
  procedure: string;
  /** From `requestFingerprint`. */
  fingerprint: string;
}

/** A middleware's `next()` result, reduced to what is stored. */
export type CallResult = { ok: true; data: unknown } | { ok: false };

export type IdempotentOutcome<R> = { replayed: false; result: R } | { replayed: true; data: unknown };

/**
 * Calls in flight in this process, by scope and key. On PGlite (one connection, one process)
 * this is the only way to see a duplicate while the first call runs: the first call's
 * transaction holds the connection, so the database cannot be asked.
 */
const inFlight = new Set<string>();

/** Thrown inside the transaction to roll a failed call back; never escapes `callIdempotently`. */
class RolledBack<R> extends Error {
  constructor(readonly result: R) {
    super('idempotent call failed; rolled back');
  }
}

/**
 * Runs `run` at most once per (scope, key) while the key is kept (24 h):
 * - a key already completed with the same fingerprint → its stored output, `run` not called;
 * - with another fingerprint → 422 `idempotency-key-mismatch`;
 * - a call with the key still running (this process, or any instance sharing PostgreSQL) →
 *   409 `idempotency-key-in-use`;
 * - otherwise `run` gets a transaction, and the key row is inserted in that same transaction
 *   when it succeeds. A failure (or a crash) rolls back both the work and the key, so a retry
 *   does the work — once.
 */
export async function callIdempotently<R extends CallResult>(
  request: IdempotentRequest,
  run: (db: Database) => Promise<R>,
): Promise<IdempotentOutcome<R>> {
  const { scope, key, fingerprint } = request;
  const lockName = lockNameOf(scope, key);
  const release = holdIdempotencyKey(scope, key);
  try {
    return await request.db.transaction(async (tx): Promise<IdempotentOutcome<R>> => {
      // Across instances: a transaction-scoped advisory lock, released by commit, rollback or a
      // dropped connection, so a crashed call never leaves the key locked. (Two keys whose 64-bit
      // hashes collide would also exclude each other, for the length of one call.)
      const locked = await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${lockName}, 0)) as locked`);
      if (rowsOf(locked)[0]?.locked !== true) throw idempotencyKeyInUse();

      const now = request.now();
      const where = and(eq(idempotencyKeys.principal, scope), eq(idempotencyKeys.key, key));
      const [stored] = await tx.select().from(idempotencyKeys).where(where);
      if (stored && stored.expiresAt > now) {
        if (stored.fingerprint !== fingerprint) throw idempotencyKeyMismatch();
        return { replayed: true, data: stored.response.data };
      }
      if (stored) await tx.delete(idempotencyKeys).where(where);

      const result = await run(tx);
      if (!result.ok) throw new RolledBack(result);
      await tx.insert(idempotencyKeys).values({
        principal: scope,
        key,
        procedure: request.procedure,
        fingerprint,
        response: result.data === undefined ? {} : { data: result.data },
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
      });
      return { replayed: false, result };
    });
  } catch (error) {
    if (error instanceof RolledBack) return { replayed: false, result: error.result as R };
    throw error;
  } finally {
    release();
  }
}

/** Neither a scope nor a key contains a space, so the pair names one lock. */
const lockNameOf = (scope: string, key: string) => `${scope} ${key}`;

/**
 * Marks (scope, key) as in flight in this process until the returned function is called; throws
 * 409 `idempotency-key-in-use` when it already is. `callIdempotently` holds its key this way;
 * tests use it to stand for a call that is still running.
 */
export function holdIdempotencyKey(scope: string, key: string): () => void {
  const lockName = lockNameOf(scope, key);
  if (inFlight.has(lockName)) throw idempotencyKeyInUse();
  inFlight.add(lockName);
  return () => {
    inFlight.delete(lockName);
  };
}

/** `execute` answers rows as an array (postgres.js) or under `rows` (PGlite). */
/** Deletes keys past their expiry; returns how many. The server runs it hourly. */
export async function deleteExpiredIdempotencyKeys(deps: { db: Database; now: () => Date }): Promise<number> {
  const deleted = await deps.db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.expiresAt, deps.now()))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
