import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request the load sent, and how it ended. */
export interface Outcome {
  method: 'GET' | 'POST';
  /** HTTP status; 0 when no answer came (connection error or client timeout). */
  status: number;
  ms: number;
  /** When it was sent, ms since the load started. */
  at: number;
  contentType: string | null;
  retryAfter: string | null;
  /** For an acknowledged (2xx) heartbeat: the id the API gave it. */
  heartbeatId?: string;
  /** For anything but a 2xx: the start of the body, to see whose answer it was (a problem, nginx's page). */
  body?: string;
  error?: string;
}

export interface LoadOptions {
  /** nginx's address. */
  baseUrl: string;
  /** Sent on every request (an API key that may read services and write heartbeats). */
  headers: Record<string, string>;
  /** The service the heartbeats are about. */
  slug: string;
  /** Requests per second, across all workers. */
  ratePerSecond: number;
  /** Concurrent keep-alive clients. */
  workers?: number;
  /** Every n-th request is a POST (a heartbeat); the others are GETs of the catalogue. */
  writeEvery?: number;
  /** A request without an answer after this long counts as lost (a hang), status 0. */
  timeoutMs?: number;
}

export interface Load {
  /** Everything answered so far. */
  outcomes: Outcome[];
  /** ms since the load started: the clock of `Outcome.at`. */
  elapsed(): number;
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<Outcome[]>;
}

/**
 * Steady paced load through the proxy from a few keep-alive clients (fetch), like monitors and
 * dashboards would send: catalogue reads and heartbeat writes. Bounded: it sends only until `stop()`.
 */
export function startLoad(options: LoadOptions): Load {
  const workers = options.workers ?? 16;
  const writeEvery = options.writeEvery ?? 4;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const interval = (1000 * workers) / options.ratePerSecond;
  const outcomes: Outcome[] = [];
  const started = Date.now();
  // Unique per load, so two loads against one database never share an Idempotency-Key.
  const run = randomUUID();
  let stopped = false;
  // A function, not the flag itself: `stop()` flips it while a worker awaits.
  const running = () => !stopped;
  let sequence = 0;

  const send = async (): Promise<Outcome> => {
    const n = sequence++;
    const write = n % writeEvery === writeEvery - 1;
    const at = Date.now() - started;
    const init: RequestInit = write
      ? {
          method: 'POST',
          // As the README asks of writers: one key per operation, so a retry (nginx's or a client's) is applied once.
          headers: { ...options.headers, 'content-type': 'application/json', 'idempotency-key': `${run}-${n}` },
          body: JSON.stringify({ status: 'up', latencyMs: n % 1000, message: `load #${n}` }),
        }
      : { headers: options.headers };
    const url = write ? `${options.baseUrl}/api/v1/services/${options.slug}/heartbeats` : `${options.baseUrl}/api/v1/services?limit=5`;
    const method = write ? 'POST' : 'GET';
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      const outcome: Outcome = {
        method,
        status: response.status,
        ms: Date.now() - started - at,
        at,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
      };
      if (write && response.ok) outcome.heartbeatId = (JSON.parse(text) as { id: string }).id;
      if (!response.ok) outcome.body = text.slice(0, 300);
      return outcome;
    } catch (error) {
      return { method, status: 0, ms: Date.now() - started - at, at, contentType: null, retryAfter: null, error: String(error) };
    }
  };

  const worker = async (offset: number) => {
    let next = Date.now() + offset;
    while (running()) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running()) break;
      next += interval;
      outcomes.push(await send());
    }
  };
  const workersDone = Promise.all(Array.from({ length: workers }, (_, i) => worker((interval / workers) * i)));

  return {
    outcomes,
    elapsed: () => Date.now() - started,
    stop: async () => {
      stopped = true;
      await workersDone;
      return outcomes;
    },
  };
}

/** `{ "201": 40, "200": 120, … }`: how the outcomes ended, for assertions and failure messages. */
export function countByStatus(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of outcomes) counts[String(status)] = (counts[String(status)] ?? 0) + 1;
  return counts;
}

/** Outcomes that are not 2xx, with their errors: what a failing assertion should print. */
export function failures(outcomes: readonly Outcome[]): Outcome[] {
  return outcomes.filter((o) => o.status < 200 || o.status >= 300);
}
