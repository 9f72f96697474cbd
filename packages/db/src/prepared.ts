import type { Database } from './client.js';

/**
 * A hot query built once per database (drizzle's `.prepare()`, with `sql.placeholder` for what
 * varies) instead of on every call: building the SQL is the largest share of the CPU a simple
 * query costs us. Keyed by the database object, so a call inside a transaction gets a query bound
 * to that transaction, never to the pool behind it.
 */
export function preparedFor<TQuery>(build: (db: Database) => TQuery): (db: Database) => TQuery {
  return perDatabase(build);
}

/**
 * One `create(db)` per database object, made on first use and kept while the object lives: what
 * prepared queries, shared reads and batched writes hang off, so a transaction gets its own.
 */
export function perDatabase<T>(create: (db: Database) => T): (db: Database) => T {
  const byDatabase = new WeakMap<Database, T>();
  return (db) => {
    let value = byDatabase.get(db);
    if (value === undefined) {
      value = create(db);
      byDatabase.set(db, value);
    }
    return value;
  };
}

/**
 * Ids for a prepared `= any($n::uuid[])`: one parameter whatever the number of ids (drizzle's
 * `inArray` writes one each, so a different statement per list length), sent as an array literal,
 * which every driver passes as is. Only for UUIDs, which need no quoting.
 */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}
