import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from './client.js';

/** Which engine the current test run targets; vitest projects set it (see vitest.config.ts). */
export function testEngine(): 'pglite' | 'postgres' {
  return process.env.BASTION_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

/**
 * A migrated, empty database for one test file: in-memory PGlite, or — when the run targets
 * PostgreSQL — a database of its own created on `TEST_DATABASE_URL` and dropped on close, so test
 * files running in parallel never see each other's rows.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  if (testEngine() === 'pglite') return openDatabase({ dataDir: 'memory://' });
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('BASTION_TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  const name = `bastion_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), maxConnections: 4 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** Empties every table; for tests that need a blank fleet. */
export async function truncateAll(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql`truncate table heartbeats, incident_updates, incident_services, incidents, service_dependencies, services cascade`,
  );
}
