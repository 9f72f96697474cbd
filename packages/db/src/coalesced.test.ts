import { describe, expect, it } from 'vitest';
import type { Database } from './client.js';
import { coalescedByKeyFor, coalescedFor } from './coalesced.js';

/** A read whose answer is the "committed version" when it began; it ends when the test says. */
function controlledRead() {
  let version = 0;
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  const starts: number[] = [];
  const read = coalescedFor(
    () =>
      new Promise<number>((resolve, reject) => {
        starts.push(version);
        const startedAt = version;
        pending.push({
          resolve: () => {
            resolve(startedAt);
          },
          reject,
        });
      }),
  );
  return {
    read,
    starts,
    write: () => ++version,
    finishNext: async () => {
      pending.shift()?.resolve(0);
      // Let the settled read hand over to the queued one.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    failNext: async (error: Error) => {
      pending.shift()?.reject(error);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

/** Stand-ins: the reads are keyed by the database object's identity only. */
const aDatabase = (): Database => Object.create(null) as Database;
const db = aDatabase();

describe('coalescedFor', () => {
  it('answers every caller that asks while a read is under way with one next read, begun after they asked', async () => {
    const r = controlledRead();
    const first = r.read(db);
    r.write(); // a caller's write commits after the first read began…
    const waiting = [r.read(db), r.read(db), r.read(db)];
    expect(r.starts).toEqual([0]);
    await r.finishNext();
    expect(await first).toBe(0);
    // …so its read (and every other waiting one) is a single new read that sees it.
    expect(r.starts).toEqual([0, 1]);
    await r.finishNext();
    expect(await Promise.all(waiting)).toEqual([1, 1, 1]);
  });

  it('starts a read at once when none is under way, and keeps databases (and transactions) apart', async () => {
    const r = controlledRead();
    const other = aDatabase();
    const a = r.read(db);
    const b = r.read(other);
    expect(r.starts).toEqual([0, 0]);
    await r.finishNext();
    await r.finishNext();
    await Promise.all([a, b]);
    const c = r.read(db);
    expect(r.starts).toEqual([0, 0, 0]);
    await r.finishNext();
    expect(await c).toBe(0);
  });

  it('gives a failed read’s error to its callers, and the next caller a fresh read', async () => {
    const r = controlledRead();
    const failing = r.read(db);
    const failed = expect(failing).rejects.toThrow('connection lost');
    await r.failNext(new Error('connection lost'));
    await failed;
    const retry = r.read(db);
    expect(r.starts).toHaveLength(2);
    await r.finishNext();
    expect(await retry).toBe(0);
  });
});

describe('coalescedByKeyFor', () => {
  it('shares reads between callers of the same key only, with the same read-your-writes rule', async () => {
    const starts: string[] = [];
    const finish: (() => void)[] = [];
    const read = coalescedByKeyFor(
      (_db, key: string) =>
        new Promise<string>((resolve) => {
          const n = starts.push(key);
          finish.push(() => { resolve(`${key}#${n}`); });
        }),
    );
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    const a1 = read(db, 'a');
    const b1 = read(db, 'b');
    const a2 = read(db, 'a');
    const a3 = read(db, 'a');
    // 'b' does not wait behind 'a'; the later 'a' callers share one read begun after theirs.
    expect(starts).toEqual(['a', 'b']);
    finish.shift()?.();
    await settle();
    expect(starts).toEqual(['a', 'b', 'a']);
    finish.shift()?.();
    finish.shift()?.();
    await settle();
    expect(await Promise.all([a1, b1, a2, a3])).toEqual(['a#1', 'b#2', 'a#3', 'a#3']);
    // Once done, a key starts afresh.
    const a4 = read(db, 'a');
    expect(starts).toEqual(['a', 'b', 'a', 'a']);
    finish.shift()?.();
    expect(await a4).toBe('a#4');
  });
});
