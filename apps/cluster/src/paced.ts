import { setTimeout as sleep } from 'node:timers/promises';

/** One request a paced loop sent, and how it ended. */
export interface Sent {
  label: string;
  /** HTTP status; 0 when no answer came (connection error or client timeout). */
  status: number;
  /** When it was sent, ms since the loop started. */
  at: number;
  /** For anything but a 2xx: the start of the body or the error, for failure messages. */
  detail?: string;
}

export interface PacedOptions {
  /** Requests per second, across all workers. */
  ratePerSecond: number;
  workers: number;
  /** The loop stops by itself after this many requests, whatever happens to the test. */
  maxRequests: number;
  /** Sends request number `n`; resolves with its label (what was asked) and the response. */
  send(n: number, signal: AbortSignal): Promise<{ label: string; response: Response }>;
  /** A request without an answer after this long counts as lost, status 0 (default 10 s). */
  timeoutMs?: number;
}

export interface Paced {
  sent: Sent[];
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<Sent[]>;
}

/**
 * A bounded, paced request loop (an attacker's flood, or a steady client): `workers` keep-alive
 * clients share `ratePerSecond` until `stop()` or `maxRequests`, whichever comes first.
 */
export function startPaced(options: PacedOptions): Paced {
  const interval = (1000 * options.workers) / options.ratePerSecond;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sent: Sent[] = [];
  const started = Date.now();
  let stopped = false;
  const running = () => !stopped;
  let sequence = 0;

  const one = async (n: number): Promise<Sent> => {
    const at = Date.now() - started;
    try {
      const { label, response } = await options.send(n, AbortSignal.timeout(timeoutMs));
      const text = await response.text();
      return { label, status: response.status, at, ...(response.ok ? {} : { detail: text.slice(0, 200) }) };
    } catch (error) {
      return { label: `#${n}`, status: 0, at, detail: String(error) };
    }
  };

  const worker = async (offset: number) => {
    let next = Date.now() + offset;
    while (running() && sequence < options.maxRequests) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running()) break;
      next += interval;
      sent.push(await one(sequence++));
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, i) => worker((interval / options.workers) * i)));
  return {
    sent,
    stop: async () => {
      stopped = true;
      await done;
      return sent;
    },
  };
}

/** `{ "GET /incidents 200": 120, … }`: how a loop's requests ended. */
export function tally(sent: readonly Sent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { label, status } of sent) counts[`${label} ${status}`] = (counts[`${label} ${status}`] ?? 0) + 1;
  return counts;
}
