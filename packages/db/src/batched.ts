import type { Database } from './client.js';
import { perDatabase } from './prepared.js';

/** Enough rows to fill one statement's worth of work without making its callers wait long. */
const DEFAULT_MAX_BATCH = 256;

interface Pending<TItem, TResult> {
  item: TItem;
  resolve: (result: TResult) => void;
  reject: (error: unknown) => void;
}

/** One database's writes of one kind: the batch under way and the callers queued behind it. */
class BatchedWrite<TItem, TResult> {
  private queue: Pending<TItem, TResult>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: TItem[]) => Promise<TResult[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.settle(batch);
    }
    this.writing = false;
  }

  private async settle(batch: Pending<TItem, TResult>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batched write answered ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => { p.resolve(results[i] as TResult); });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One statement is all or nothing: nothing of the batch was written. Each item is tried on
      // its own, so one caller's bad row fails that caller only, with its own error.
      await Promise.all(batch.map((p) => this.settle([p])));
    }
  }
}

/**
 * Concurrent writes of one kind grouped into one statement (group commit): under load, one
 * multi-row insert and one commit serve every caller waiting at that moment, instead of a round
 * trip and a WAL flush each. A caller alone is written at once; callers arriving while a batch is
 * under way are written together right after it, so none waits for more than the batch under way
 * plus its own. Every caller's promise settles only once its row is committed (or has failed).
 * `write` gets the items in order and answers one result per item, in the same order. Keyed by
 * the database object like `preparedFor`, so writes inside a transaction stay in it.
 */
export function batchedFor<TItem, TResult>(
  write: (db: Database, items: TItem[]) => Promise<TResult[]>,
  { maxBatch = DEFAULT_MAX_BATCH }: { maxBatch?: number } = {},
): (db: Database, item: TItem) => Promise<TResult> {
  const writesOf = perDatabase((db) => new BatchedWrite<TItem, TResult>((items) => write(db, items), maxBatch));
  return (db, item) => writesOf(db).add(item);
}

/** The rows of a `db.execute()` result, whichever driver answered (postgres.js: an array; PGlite: `{ rows }`). */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}

/** How JSON.stringify writes a lone surrogate (paired ones stay characters): PostgreSQL's json refuses it. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const wellFormedStrings = (_key: string, value: unknown) => (typeof value === 'string' ? value.toWellFormed() : value);

/**
 * Rows as one JSON parameter, for `json_to_recordset($1::json)`: the way to send a batch as one
 * statement on every driver. A lone UTF-16 surrogate becomes U+FFFD, as it does when a string is
 * sent as a parameter of its own; in JSON text PostgreSQL would refuse the whole batch for it.
 * Written plainly first (a replacer called on every value cost more than the rest of the write),
 * again string by string only when the text shows such an escape (or a user's literal `\\ud…`).
 */
export function jsonRecords(records: readonly object[]): string {
  const json = JSON.stringify(records);
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(records, wellFormedStrings) : json;
}

/** The text as PostgreSQL stores it: each lone UTF-16 surrogate replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return text.toWellFormed();
}
