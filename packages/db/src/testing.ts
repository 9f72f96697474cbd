import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { migrationsFolder, openDatabase, openPgliteClient, type DatabaseHandle } from './client.js';

/** Which engine the current test run targets; vitest projects set it (see vitest.config.ts). */
export function testEngine(): 'pglite' | 'postgres' {
  return process.env.BASTION_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

/**
 * A migrated, empty database for one test file: in-memory PGlite, or — when the run targets
 * PostgreSQL — a database of its own created on `TEST_DATABASE_URL` and dropped on close, so test
 * files running in parallel never see each other's rows.
 */
export async function openTestDatabase(engine = testEngine()): Promise<DatabaseHandle> {
  if (engine === 'pglite') return openPgliteFromTemplate();
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
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

/**
 * Empties every fleet table, traffic, idempotency keys and the runtime controls; for tests that need
 * a blank fleet. Users, keys and sessions stay, so the credentials a test file seeded keep working.
 * The audit log stays too: the database refuses to truncate it (migration 0006), as in production,
 * so a test that counts audit rows filters them or opens a database of its own.
 */
export async function truncateAll(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql`truncate table heartbeats, incident_updates, incident_services, incidents, service_dependencies, services, control_switches, control_blocks, control_target_limits, controls_state, traffic_buckets, traffic_callers, idempotency_keys cascade`,
  );
}

/**
 * PGlite's initdb costs seconds; loading a dump of an already-migrated database costs a fraction.
 * The dump is cached in the temp folder under a hash of the migrations, so it renews itself when
 * they change.
 */
async function openPgliteFromTemplate(): Promise<DatabaseHandle> {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  const templatePath = join(tmpdir(), `bastion-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (!existsSync(templatePath)) {
    const fresh = await openDatabase({ dataDir: 'memory://' });
    const dump = await (fresh.client as PGlite).dumpDataDir('none');
    const partial = `${templatePath}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, templatePath);
    return fresh;
  }
  const client = await PGlite.create({ loadDataDir: new Blob([readFileSync(templatePath)]) });
  return openPgliteClient(client);
}
