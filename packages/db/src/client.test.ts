import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { openDatabase, reconnectDelaySeconds } from './client.js';

const adminUrl = process.env.TEST_DATABASE_URL;

// Scale-out: several instances started at once against a database nobody has migrated yet.
it.skipIf(!adminUrl)('lets instances that start together on a fresh PostgreSQL database all migrate it', async () => {
  const admin = postgres(adminUrl ?? '', { max: 1, onnotice: () => {} });
  const name = `bastion_migrate_race_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  try {
    const url = new URL(adminUrl ?? '');
    url.pathname = `/${name}`;
    const opened = await Promise.allSettled([1, 2, 3].map(() => openDatabase({ url: url.toString(), maxConnections: 2 })));
    for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
    expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'opened'))).toEqual(['opened', 'opened', 'opened']);
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
});

it('retries a lost PostgreSQL connection within half a second, however long it has been down', () => {
  // A query waits this long before its connection is tried again; the cluster suite's
  // PostgreSQL-restart test shows the effect end to end (503 at once instead of hangs).
  expect(reconnectDelaySeconds(0)).toBeGreaterThan(0);
  for (const retries of [1, 5, 10, 50, 1_000]) expect(reconnectDelaySeconds(retries)).toBeLessThanOrEqual(0.5);
});
