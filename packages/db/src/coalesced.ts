import type { Database } from './client.js';
import { perDatabase } from './prepared.js';

const ignore = () => undefined;

/** One database's reads of one kind: the read under way, and the one callers arriving now wait for. */
class CoalescedRead<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    /** Called when no read is under way or queued any more. */
    private readonly onIdle: () => void = () => undefined,
  ) {}

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
      if (!this.running && !this.queued) this.onIdle();
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
  const readsOf = perDatabase((db) => new CoalescedRead(() => read(db)));
  return (db) => readsOf(db).get();
}

/**
 * `coalescedFor` for a read with an argument (a key prefix, an id): callers asking for the same
 * key share reads under the same rules; different keys never wait for each other. Nothing is kept
 * once a key's reads are done, so the keys seen do not accumulate.
 */
export function coalescedByKeyFor<K, T>(read: (db: Database, key: K) => Promise<T>): (db: Database, key: K) => Promise<T> {
  const readsByKeyOf = perDatabase(() => new Map<K, CoalescedRead<T>>());
  return (db, key) => {
    const byKey = readsByKeyOf(db);
    let reads = byKey.get(key);
    if (!reads) {
      const created: CoalescedRead<T> = new CoalescedRead(
        () => read(db, key),
        () => {
          if (byKey.get(key) === created) byKey.delete(key);
        },
      );
      reads = created;
      byKey.set(key, reads);
    }
    return reads.get();
  };
}
