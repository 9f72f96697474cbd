import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle } from './client.js';
import * as schema from './schema.js';
import { credentialsVersion, keptByKeyFor } from './snapshot-kept.js';
import { openTestDatabase } from './testing.js';

const engines = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

const unique = () => randomBytes(4).toString('hex');

async function addUser(db: Database) {
  const [user] = await db.insert(schema.users).values({ email: `${unique()}@example.test`, role: 'operator', passwordHash: 'x' }).returning();
  if (!user) throw new Error('no user');
  return user;
}

async function addKey(db: Database, ownerId: string) {
  const [key] = await db
    .insert(schema.apiKeys)
    .values({ ownerId, name: 'monitor', prefix: `bst_${unique()}`, secretHash: 'h', scopes: ['heartbeats:write'] })
    .returning();
  if (!key) throw new Error('no key');
  return key;
}

describe.each(engines)('credentialsVersion on %s', (engine) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await handle.close();
  });

  const version = () => credentialsVersion(handle.db);
  /** Runs `write` and answers whether the version moved on. */
  const moves = async (write: () => Promise<unknown>) => {
    const before = await version();
    await write();
    return (await version()) !== before;
  };

  it('moves on with every kind of write to users and api_keys', async () => {
    expect(await version()).toBeDefined();
    const user = await addUser(handle.db);
    let keyId = '';
    expect(await moves(async () => (keyId = (await addKey(handle.db, user.id)).id))).toBe(true);
    expect(await moves(() => handle.db.update(schema.apiKeys).set({ revokedAt: new Date() }).where(eq(schema.apiKeys.id, keyId)))).toBe(true);
    expect(await moves(() => handle.db.update(schema.apiKeys).set({ lastUsedAt: new Date() }).where(eq(schema.apiKeys.id, keyId)))).toBe(true);
    expect(await moves(() => handle.db.delete(schema.apiKeys).where(eq(schema.apiKeys.id, keyId)))).toBe(true);
    expect(await moves(() => handle.db.update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, user.id)))).toBe(true);
    expect(await moves(() => handle.db.update(schema.users).set({ role: 'viewer' }).where(eq(schema.users.id, user.id)))).toBe(true);
    await addKey(handle.db, user.id);
    expect(await moves(() => handle.db.execute(sql`truncate table api_keys`))).toBe(true);
    expect(await moves(() => handle.db.delete(schema.users).where(eq(schema.users.id, user.id)))).toBe(true);
    expect(await moves(() => addUser(handle.db))).toBe(true);
  });

  it('stands while other tables are written', async () => {
    expect(await moves(() => handle.db.insert(schema.services).values({ slug: `svc-${unique()}`, name: 'svc', tier: 'low' }))).toBe(false);
    expect(await moves(() => handle.db.execute(sql`truncate table services cascade`))).toBe(false);
  });

  it('stands when the transaction writing a credential rolls back', async () => {
    const user = await addUser(handle.db);
    const rolledBack = handle.db.transaction(async (tx) => {
      await tx.update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, user.id));
      tx.rollback();
    });
    expect(await moves(() => rolledBack.catch(() => undefined))).toBe(false);
  });

  it('is undefined without its row (nothing is kept) and comes back with the next credential write', async () => {
    await handle.db.delete(schema.credentialsVersion);
    expect(await version()).toBeUndefined();
    await addUser(handle.db);
    expect(await version()).toBeDefined();
  });

  it('keeps a credential read across other commits, and reads again once a credential changes', async () => {
    const user = await addUser(handle.db);
    let reads = 0;
    const nameOf = keptByKeyFor(
      async (db, id: string) => {
        reads++;
        const [row] = await db.select({ name: schema.users.name }).from(schema.users).where(eq(schema.users.id, id));
        return row?.name;
      },
      { key: (id) => id, maxKeys: 8, validity: credentialsVersion },
    );
    expect(await nameOf(handle.db, user.id)).toBe('');
    await handle.db.insert(schema.services).values({ slug: `svc-${unique()}`, name: 'svc', tier: 'low' });
    expect(await nameOf(handle.db, user.id)).toBe('');
    expect(reads).toBe(1);
    await handle.db.update(schema.users).set({ name: 'Ada' }).where(eq(schema.users.id, user.id));
    expect(await nameOf(handle.db, user.id)).toBe('Ada');
    expect(reads).toBe(2);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a credential read kept on one pool (one server instance)', () => {
  const url = process.env.TEST_DATABASE_URL ?? '';
  let reader: DatabaseHandle;
  let writer: DatabaseHandle;
  beforeAll(async () => {
    reader = await openDatabase({ url });
    writer = await openDatabase({ url });
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  it('sees at once a revocation another pool committed', async () => {
    const owner = await addUser(writer.db);
    const key = await addKey(writer.db, owner.id);
    const revokedAt = keptByKeyFor(
      async (db, id: string) => (await db.select({ at: schema.apiKeys.revokedAt }).from(schema.apiKeys).where(eq(schema.apiKeys.id, id)))[0]?.at,
      { key: (id) => id, maxKeys: 8, validity: credentialsVersion },
    );
    expect(await revokedAt(reader.db, key.id)).toBeNull();
    await writer.db.update(schema.apiKeys).set({ revokedAt: new Date() }).where(eq(schema.apiKeys.id, key.id));
    expect(await revokedAt(reader.db, key.id)).toBeInstanceOf(Date);
    await writer.db.delete(schema.users).where(eq(schema.users.id, owner.id));
  });
});
