import type { Database } from './client.js';

/**
 * A hot query built once per database (drizzle's `.prepare()`, with `sql.placeholder` for what
 * varies) instead of on every call: building the SQL is the largest share of the CPU a simple
 * query costs us. Keyed by the database object, so a call inside a transaction gets a query bound
 * to that transaction, never to the pool behind it.
 */
export function preparedFor<TQuery>(build: (db: Database) => TQuery): (db: Database) => TQuery {
  const byDatabase = new WeakMap<Database, TQuery>();
  return (db) => {
    let query = byDatabase.get(db);
    if (query === undefined) {
      query = build(db);
      byDatabase.set(db, query);
    }
    return query;
  };
}
