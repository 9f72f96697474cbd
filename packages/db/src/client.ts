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
  /** Pool size for PostgreSQL (default 10). */
  maxConnections?: number;
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
    ? openPostgres(options.url, options.maxConnections ?? 10)
    : await openPglite(options.dataDir ?? 'memory://');
  if (options.migrate ?? true) {
    await handle.migrate();
  }
  return handle;
}

function openPostgres(url: string, max: number) {
  // Fail fast when the server is down: a request should get a 503, not wait for a socket.
  const client = postgres(url, { max, connect_timeout: 5, idle_timeout: 30, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  return {
    db: db as unknown as Database,
    client,
    kind: 'postgres' as const,
    ping: async () => {
      await client`select 1`;
    },
    migrate: async () => {
      await migratePostgres(db, { migrationsFolder });
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
