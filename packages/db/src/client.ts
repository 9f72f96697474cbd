import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The drizzle database both engines give us; services take this, never a driver type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  /** `pglite` for the embedded engine, `postgres` for a server. */
  kind: 'pglite' | 'postgres';
  /** The driver underneath (a PGlite instance or a postgres.js Sql), for engine-specific chores. */
  client: unknown;
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL. When set, the embedded engine is not used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` for a throwaway database. */
  dataDir?: string | undefined;
  /** Run the committed migrations before returning (default true). */
  migrate?: boolean;
  /** Pool size for PostgreSQL (default 10; at least 2, as migrating holds one connection for a lock). */
  maxConnections?: number;
  /**
   * PostgreSQL: run queries as named prepared statements (default true). Turn off behind a pooler
   * that cannot keep them, such as PgBouncer in transaction mode.
   */
  preparedStatements?: boolean;
}

/**
 * The committed SQL migrations. Resolved through the package, not a relative path, so a bundled
 * server (apps/server/dist) still finds them.
 */
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve('@bastion/db/package.json')),
  'drizzle',
);

/**
 * Opens the database: PostgreSQL when `url` is given, PGlite under `dataDir` otherwise, and
 * brings its schema up to date with the same migrations on both.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const handle = options.url
    ? openPostgres(options.url, Math.max(2, options.maxConnections ?? 10), options.preparedStatements ?? true)
    : await openPglite(options.dataDir ?? 'memory://');
  if (options.migrate ?? true) {
    await handle.migrate();
  }
  return handle;
}

/**
 * Seconds postgres.js waits before reconnecting after its `retries`-th failed connection. Its default
 * (3^retries / 100, up to 20 s, shared by the pool) made every query wait up to 20 s once PostgreSQL had
 * been down a moment: requests hung instead of failing fast with 503. A query waits for this delay
 * before its connection is tried again, so it must stay short; a refused connection costs nothing.
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}

/** Any fixed 64-bit number; instances of this app agree on it to take turns migrating. */
const MIGRATION_LOCK_ID = 4_857_220_318_467_001n;

/**
 * The client as drizzle should see it: every query a named prepared statement, which drizzle's
 * postgres.js driver asks for only on `.prepare()`. postgres.js then keeps one statement per query
 * text and connection, so a repeated query skips PostgreSQL's parse and plan and our parse of its
 * row description. (Transactions get postgres.js's own transaction client, unprepared.)
 */
function preparingStatements(client: postgres.Sql): postgres.Sql {
  const unsafe: postgres.Sql['unsafe'] = (query, parameters, options) => client.unsafe(query, parameters, { ...options, prepare: true });
  return new Proxy(client, { get: (target, property, receiver) => (property === 'unsafe' ? unsafe : (Reflect.get(target, property, receiver) as unknown)) });
}

function openPostgres(url: string, max: number, prepared: boolean) {
  // Fail fast when the server is down: a request should get a 503, not wait for a socket.
  // JIT off: ours are short OLTP queries, and a misestimated plan crossing jit_above_cost spends
  // hundreds of milliseconds compiling (measured: 770 ms of JIT on a 1 ms query).
  const client = postgres(url, {
    max,
    connect_timeout: 5,
    idle_timeout: 30,
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
    connection: { application_name: 'bastion', jit: 'off' },
  });
  const db = drizzlePostgres(prepared ? preparingStatements(client) : client, { schema });
  return {
    db: db as unknown as Database,
    client,
    kind: 'postgres' as const,
    ping: async () => {
      await client`select 1`;
    },
    migrate: async () => {
      // Instances starting together would otherwise race to create drizzle's bookkeeping table and
      // apply the same migration twice; the loser's start fails. A session-level advisory lock on a
      // reserved connection makes them take turns (the pool needs a second connection to migrate).
      const lock = await client.reserve();
      try {
        await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID.toString()}::bigint)`;
        await migratePostgres(db, { migrationsFolder });
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID.toString()}::bigint)`.catch(() => undefined);
        lock.release();
      }
    },
    close: async () => {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string) {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  return wrapPglite(await PGlite.create(dataDir));
}

function wrapPglite(client: PGlite) {
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Database,
    client,
    kind: 'pglite' as const,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    migrate: async () => {
      await migratePglite(db, { migrationsFolder });
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

/** Wraps an already-open PGlite (e.g. loaded from a dump) without migrating it. */
export function openPgliteClient(client: PGlite): DatabaseHandle {
  return wrapPglite(client);
}
