import { randomBytes } from 'node:crypto';
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle } from './client.js';
import * as schema from './schema.js';
import { credentialsVersion, snapshotKeptFor } from './snapshot-kept.js';

const url = process.env.TEST_DATABASE_URL;

/** A kept read of the services whose slug starts with `prefix`, counting how often it really runs. */
function countedSlugs(prefix: string) {
  const counter = { reads: 0 };
  const read = snapshotKeptFor(async (db) => {
    counter.reads++;
    const rows = await db.select({ slug: schema.services.slug }).from(schema.services).where(like(schema.services.slug, `${prefix}%`));
    return rows.map((r) => r.slug).sort();
  });
  return { read, counter };
}

const addService = (db: Database, slug: string) => db.insert(schema.services).values({ slug, name: slug, tier: 'low' });
const newPrefix = () => `kept-${randomBytes(4).toString('hex')}-`;

const engines: [string, () => Promise<DatabaseHandle>][] = [['pglite', () => openDatabase({ dataDir: 'memory://' })]];
if (url) engines.push(['postgres', () => openDatabase({ url })]);

describe.each(engines)('snapshotKeptFor on %s', (engine, open) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('sees every write committed before the call', async () => {
    const prefix = newPrefix();
    const { read } = countedSlugs(prefix);
    expect(await read(handle.db)).toEqual([]);
    await addService(handle.db, `${prefix}a`);
    expect(await read(handle.db)).toEqual([`${prefix}a`]);
    await addService(handle.db, `${prefix}b`);
    expect(await read(handle.db)).toEqual([`${prefix}a`, `${prefix}b`]);
  });

  it('reads afresh inside a transaction, which sees its own uncommitted writes', async () => {
    const prefix = newPrefix();
    const { read, counter } = countedSlugs(prefix);
    expect(await read(handle.db)).toEqual([]);
    await handle.db
      .transaction(async (tx) => {
        expect(await read(tx)).toEqual([]);
        await addService(tx, `${prefix}a`);
        expect(await read(tx)).toEqual([`${prefix}a`]);
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || error.message !== 'Rollback') throw error;
      });
    expect(counter.reads).toBe(3);
    expect(await read(handle.db)).toEqual([]);
  });

  // On PostgreSQL other test files commit all the time (the snapshot is the whole cluster's), so
  // how often the read runs is only predictable on the embedded engine.
  it.runIf(engine === 'pglite')('runs the read again only once something has committed', async () => {
    const prefix = newPrefix();
    const { read, counter } = countedSlugs(prefix);
    await read(handle.db);
    await Promise.all([read(handle.db), read(handle.db), read(handle.db)]);
    expect(counter.reads).toBe(1);
    // Any commit, even of a row the read does not return, ends what was kept.
    await addService(handle.db, `other-${prefix}`);
    await read(handle.db);
    expect(counter.reads).toBe(2);
  });
});

describe.skipIf(!url)('snapshotKeptFor across processes', () => {
  let reader: DatabaseHandle;
  let writer: DatabaseHandle;
  beforeAll(async () => {
    reader = await openDatabase({ url: url ?? '' });
    writer = await openDatabase({ url: url ?? '' });
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  it('sees at once a row another pool (another server instance) committed', async () => {
    const prefix = newPrefix();
    const { read } = countedSlugs(prefix);
    expect(await read(reader.db)).toEqual([]);
    await addService(writer.db, `${prefix}a`);
    expect(await read(reader.db)).toEqual([`${prefix}a`]);
  });
});

/** A stand-in database whose snapshot the test sets; only `execute` is called on it. */
function fakeDatabase() {
  const state = { snapshot: '1:1:', credentials: '7:1234', executes: 0 };
  const db = {
    execute: () => {
      state.executes++;
      return Promise.resolve([{ snapshot: state.snapshot, credentials: state.credentials }]);
    },
  } as unknown as Database;
  return { db, state };
}

describe('snapshotKeptFor, ordering', () => {
  it('never lets an earlier call, answered late, replace what a later call kept', async () => {
    const { db, state } = fakeDatabase();
    const finishes: ((value: string) => void)[] = [];
    const read = snapshotKeptFor(() => new Promise<string>((resolve) => finishes.push(resolve)));
    const early = read(db);
    await new Promise((r) => setTimeout(r, 0));
    state.snapshot = '2:2:';
    const late = read(db); // checks while the early read runs: waits for a read of its own
    await new Promise((r) => setTimeout(r, 0));
    finishes[0]?.('as of 1');
    await new Promise((r) => setTimeout(r, 0));
    finishes[1]?.('as of 2');
    expect(await early).toBe('as of 1');
    expect(await late).toBe('as of 2');
    expect(await read(db)).toBe('as of 2');
    expect(finishes).toHaveLength(2);
  });

  it('checks the snapshot and the credentials version with one query shared by callers asking together', async () => {
    const { db, state } = fakeDatabase();
    const read = snapshotKeptFor(() => Promise.resolve('rows'));
    const other = snapshotKeptFor(() => Promise.resolve('other rows'));
    // The first check runs at once; the two asking while it runs share the next one (see coalescedFor).
    const [rows, version, otherRows] = await Promise.all([read(db), credentialsVersion(db), other(db)]);
    expect([rows, version, otherRows]).toEqual(['rows', '7:1234', 'other rows']);
    expect(state.executes).toBe(2);
  });

  it('keeps nothing from a read that failed', async () => {
    const { db } = fakeDatabase();
    let attempts = 0;
    const read = snapshotKeptFor(() => (++attempts === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve('rows')));
    await expect(read(db)).rejects.toThrow('connection lost');
    expect(await read(db)).toBe('rows');
    expect(await read(db)).toBe('rows');
    expect(attempts).toBe(2);
  });
});
