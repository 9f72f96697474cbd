import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { rowsOf } from './batched.js';
import type { Database } from './client.js';
import { coalescedFor } from './coalesced.js';
import { perDatabase } from './prepared.js';

/**
 * What a result is kept under, asked just before its read begins; a later call that finds the same
 * proves nothing the read depends on has committed since. Undefined: keep nothing.
 */
export type KeptValidity = (db: Database) => Promise<string | undefined>;

/**
 * What the kept reads are checked against, from one statement every check shares:
 * - `snapshot`: which transactions a read starting now would see, as PostgreSQL writes it
 *   (`xmin:xmax:xip…`). Two equal snapshots see exactly the same committed rows; any commit or
 *   rollback anywhere in the cluster changes it. No table is touched.
 * - `credentials`: the version of the credentials (migration 0010), which moves on in the same
 *   transaction as any write to `users` or `api_keys`, so two equal versions see the same keys and
 *   users while writes to every other table leave it alone. The row's `xmin` goes with it, so a
 *   database restored under a running server does not repeat an old version. Undefined without
 *   the row (nothing is kept under it then).
 * One query for both, so a request's credential check and its reads' checks share the same reads
 * under load (`coalescedFor`) rather than queueing for two.
 */
const currentValidity = coalescedFor(async (db) => {
  const [row] = rowsOf(
    await db.execute(
      sql`select pg_current_snapshot()::text as snapshot, (select version::text || ':' || xmin::text from credentials_version where id = 1) as credentials`,
    ),
  );
  if (typeof row?.snapshot !== 'string') throw new Error('pg_current_snapshot() answered no snapshot');
  return { snapshot: row.snapshot, credentials: typeof row.credentials === 'string' ? row.credentials : undefined };
});

const currentSnapshot = async (db: Database) => (await currentValidity(db)).snapshot;

/** The credentials' version, as `keptByKeyFor`'s validity for reads of keys and users only. */
export const credentialsVersion: KeptValidity = async (db) => (await currentValidity(db)).credentials;

/** A transaction's own writes show in no snapshot, so nothing is kept for one. */
const inTransaction = (db: Database): boolean => db instanceof PgTransaction;

interface Kept<T> {
  /** The validity taken just before the read began. */
  validity: string;
  value: T;
  /** Which call stored it: a later call's result never gives way to an earlier one's. */
  call: number;
}

/** One database's kept results, by key, the least recently stored first. */
class KeptResults<T> {
  private calls = 0;
  private readonly byKey = new Map<string, Kept<T>>();

  constructor(
    private readonly maxKeys: number,
    private readonly validityOf: KeptValidity,
  ) {}

  async get(db: Database, key: string, answers: (value: T) => boolean, read: () => Promise<T>): Promise<T> {
    const call = ++this.calls;
    const validity = await this.validityOf(db);
    if (validity === undefined) return read();
    const kept = this.byKey.get(key);
    if (kept?.validity === validity && answers(kept.value)) return kept.value;
    const value = await read();
    const latest = this.byKey.get(key);
    if (!latest || latest.call < call) {
      this.byKey.delete(key);
      this.byKey.set(key, { validity, value, call });
      const oldest = this.byKey.keys().next();
      if (this.byKey.size > this.maxKeys && !oldest.done) this.byKey.delete(oldest.value);
    }
    return value;
  }
}

/**
 * A read answered again from its last result for as long as nothing has committed since, which
 * each call checks with one `pg_current_snapshot()` instead of running the read. Correct across
 * processes: a write by another server instance is a commit like any other. A caller always gets a
 * result at least as new as its own check, so it sees every write committed before it asked.
 *
 * Why the check suffices: the result is stored under the snapshot taken *before* the read began,
 * and snapshots only grow, so a later check equal to it proves no commit since that check nor
 * during the read. Inside a transaction (whose own writes no snapshot shows) nothing is kept.
 * Reads concurrent with each other are shared as with `coalescedFor`. The result is shared by
 * every caller: treat it as read-only.
 */
export function snapshotKeptFor<T>(read: (db: Database) => Promise<T>): (db: Database) => Promise<T> {
  const shared = coalescedFor(read);
  const keptOf = perDatabase(() => new KeptResults<T>(1, currentSnapshot));
  const always = () => true;
  return (db) => (inTransaction(db) ? shared(db) : keptOf(db).get(db, '', always, () => shared(db)));
}

export interface KeptByKeyOptions<A, T> {
  /** What tells two calls' results apart (the argument, written as a string). */
  key: (arg: A) => string;
  /** Whether a kept result still answers this call, for results that also change with time. */
  answers?: (value: T, arg: A) => boolean;
  /** How many keys' results one database keeps; the least recently stored goes first. */
  maxKeys: number;
}

/**
 * `snapshotKeptFor` for a read with an argument: a result is kept per key, and answers a later
 * call with the same key while nothing has committed since and `answers` agrees.
 */
export function snapshotKeptByKeyFor<A, T>(
  read: (db: Database, arg: A) => Promise<T>,
  options: KeptByKeyOptions<A, T>,
): (db: Database, arg: A) => Promise<T> {
  return keptByKeyFor(read, { ...options, validity: currentSnapshot });
}

/**
 * `snapshotKeptByKeyFor` under a validity narrower than the cluster's snapshot, such as
 * `credentialsVersion`: the read must depend on nothing that can commit without changing it.
 */
export function keptByKeyFor<A, T>(
  read: (db: Database, arg: A) => Promise<T>,
  options: KeptByKeyOptions<A, T> & { validity: KeptValidity },
): (db: Database, arg: A) => Promise<T> {
  const keptOf = perDatabase(() => new KeptResults<T>(options.maxKeys, options.validity));
  return (db, arg) => {
    if (inTransaction(db)) return read(db, arg);
    const answers = (value: T) => options.answers === undefined || options.answers(value, arg);
    return keptOf(db).get(db, options.key(arg), answers, () => read(db, arg));
  };
}
