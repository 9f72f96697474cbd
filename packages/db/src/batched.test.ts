import { describe, expect, it } from 'vitest';
import { batchedFor, jsonRecords, rowsOf, wellFormed } from './batched.js';
import type { Database } from './client.js';

/** Stand-ins: batches are keyed by the database object's identity only. */
const aDatabase = (): Database => Object.create(null) as Database;

/** A write whose batches the test finishes one at a time; items named "bad" make a batch fail. */
function controlledWrite() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write = batchedFor(
    (_db, items: string[]) =>
      new Promise<string[]>((resolve, reject) => {
        batches.push(items);
        pending.push(() => {
          if (items.includes('bad')) reject(new Error(`refused ${items.join(',')}`));
          else resolve(items.map((i) => i.toUpperCase()));
        });
      }),
    { maxBatch: 3 },
  );
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    write,
    batches,
    finishNext: async () => {
      pending.shift()?.();
      await settle();
    },
    finishAll: async () => {
      while (pending.length > 0) {
        pending.shift()?.();
        await settle();
      }
    },
  };
}

describe('batchedFor', () => {
  it('writes a lone caller at once, and everyone arriving meanwhile together in the next batch', async () => {
    const w = controlledWrite();
    const db = aDatabase();
    const first = w.write(db, 'a');
    expect(w.batches).toEqual([['a']]);
    const later = [w.write(db, 'b'), w.write(db, 'c')];
    expect(w.batches).toHaveLength(1);
    await w.finishNext();
    expect(await first).toBe('A');
    expect(w.batches).toEqual([['a'], ['b', 'c']]);
    await w.finishNext();
    expect(await Promise.all(later)).toEqual(['B', 'C']);
  });

  it('answers no caller before its own batch is written', async () => {
    const w = controlledWrite();
    const db = aDatabase();
    let answered = false;
    void w.write(db, 'a');
    void w.write(db, 'b').then(() => (answered = true));
    await w.finishNext();
    expect(answered).toBe(false);
    await w.finishNext();
    expect(answered).toBe(true);
  });

  it('caps a batch and keeps the order of arrival', async () => {
    const w = controlledWrite();
    const db = aDatabase();
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => w.write(db, item));
    await w.finishAll();
    expect(w.batches).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(await Promise.all(all)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('fails only the caller whose item broke a batch: the others are written one by one', async () => {
    const w = controlledWrite();
    const db = aDatabase();
    void w.write(db, 'a');
    const outcomes = ['b', 'bad', 'c'].map((item) => w.write(db, item).then(String, (e: unknown) => (e instanceof Error ? e.message : String(e))));
    await w.finishAll();
    expect(await Promise.all(outcomes)).toEqual(['B', 'refused bad', 'C']);
    expect(w.batches.slice(1)).toEqual([['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('keeps databases (and transactions) apart', async () => {
    const w = controlledWrite();
    const [one, two] = [aDatabase(), aDatabase()];
    const both = [w.write(one, 'a'), w.write(two, 'b')];
    expect(w.batches).toEqual([['a'], ['b']]);
    await w.finishAll();
    expect(await Promise.all(both)).toEqual(['A', 'B']);
  });

  it('fails every caller of a write that answers the wrong number of results', async () => {
    const write = batchedFor(async (_db, items: number[]) => items.slice(1));
    const db = aDatabase();
    await expect(write(db, 1)).rejects.toThrow(/0 results for 1 items/);
  });
});

describe('jsonRecords, wellFormed, rowsOf', () => {
  it('sends lone surrogates as U+FFFD, as a string parameter would be stored, and keeps pairs', () => {
    expect(wellFormed('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(wellFormed('ok 😀')).toBe('ok 😀');
    expect(JSON.parse(jsonRecords([{ m: 'a\uD83Db', n: 1, d: { deep: '\uDE00' } }]))).toEqual([{ m: 'a\uFFFDb', n: 1, d: { deep: '\uFFFD' } }]);
    // Only the escape is rewritten: a user's own backslash text and paired surrogates pass as they are.
    expect(JSON.parse(jsonRecords([{ m: 'C:\\ud800 \\u00e9', e: '😀' }]))).toEqual([{ m: 'C:\\ud800 \\u00e9', e: '😀' }]);
    expect(JSON.parse(jsonRecords([{ m: 'plain', n: null }]))).toEqual([{ m: 'plain', n: null }]);
  });

  it('reads rows from either driver’s result', () => {
    expect(rowsOf([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(rowsOf({ rows: [{ id: 2 }] })).toEqual([{ id: 2 }]);
    expect(rowsOf(null)).toEqual([]);
  });
});
