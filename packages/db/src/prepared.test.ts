import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from './client.js';
import { preparedFor } from './prepared.js';
import * as schema from './schema.js';

const url = process.env.TEST_DATABASE_URL;

const serviceBySlug = preparedFor((db) =>
  db.select({ slug: schema.services.slug }).from(schema.services).where(eq(schema.services.slug, sql.placeholder('slug'))).prepare('test_service_by_slug'),
);

const engines: [string, () => Promise<DatabaseHandle>][] = [['pglite', () => openDatabase({ dataDir: 'memory://' })]];
if (url) engines.push(['postgres', () => openDatabase({ url })]);

describe.each(engines)('preparedFor on %s', (_engine, open) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('builds a query once per database and, in a transaction, runs it on the transaction', async () => {
    const slug = `prepared-${randomBytes(4).toString('hex')}`;
    expect(serviceBySlug(handle.db)).toBe(serviceBySlug(handle.db));
    await handle.db
      .transaction(async (tx) => {
        await tx.insert(schema.services).values({ slug, name: 'Prepared', tier: 'low' });
        // Bound to the pool, the query would not see the uncommitted row.
        expect(await serviceBySlug(tx).execute({ slug })).toEqual([{ slug }]);
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || error.message !== 'Rollback') throw error;
      });
    expect(await serviceBySlug(handle.db).execute({ slug })).toEqual([]);
  });
});

describe.skipIf(!url)('named prepared statements on PostgreSQL', () => {
  const statementsAfterRepeating = async (preparedStatements: boolean) => {
    // Sequential queries reuse the pool's first idle connection, which the catalogue query then reads.
    const handle = await openDatabase({ url: url ?? '', maxConnections: 2, preparedStatements });
    try {
      const marker = `prepared_probe_${randomBytes(4).toString('hex')}`;
      for (let i = 0; i < 3; i++) await handle.db.select({ slug: schema.services.slug }).from(schema.services).where(eq(schema.services.slug, marker));
      // postgres.js answers with the rows themselves.
      const result: unknown = await handle.db.execute(sql`select statement from pg_prepared_statements`);
      return (result as { statement: string }[]).map((row) => row.statement).filter((statement) => statement.includes('"services"."slug" = $1'));
    } finally {
      await handle.close();
    }
  };

  it('runs drizzle queries as named prepared statements by default, and not when turned off', async () => {
    expect(await statementsAfterRepeating(true)).not.toEqual([]);
    expect(await statementsAfterRepeating(false)).toEqual([]);
  });
});
