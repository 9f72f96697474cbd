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
