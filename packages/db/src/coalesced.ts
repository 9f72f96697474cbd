import type { Database } from './client.js';

const ignore = () => undefined;

/** One database's reads of one kind: the read under way, and the one callers arriving now wait for. */
class CoalescedRead<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.running) return this.start();
    // The read under way may have begun before this caller's own last write committed, so the
    // caller waits for the next one, which every caller arriving meanwhile shares.
    this.queued ??= this.running.then(ignore, ignore).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<T> {
    const read = this.read();
    this.running = read;
    const settled = () => {
      if (this.running === read) this.running = undefined;
    };
    read.then(settled, settled);
    return read;
  }
}

/**
 * A read that concurrent callers share: under load, one query (or set of queries) answers every
 * caller waiting at that moment instead of each running its own. Every caller gets a read that
 * *began after it asked*, so it always sees what it wrote before asking (read-your-writes); a caller
 * never waits for more than the read under way plus its own. Keyed by the database object like
 * `preparedFor`, so reads inside a transaction are the transaction's own.
 */
export function coalescedFor<T>(read: (db: Database) => Promise<T>): (db: Database) => Promise<T> {
  const byDatabase = new WeakMap<Database, CoalescedRead<T>>();
  return (db) => {
    let reads = byDatabase.get(db);
    if (!reads) {
      reads = new CoalescedRead(() => read(db));
      byDatabase.set(db, reads);
    }
    return reads.get();
  };
}
