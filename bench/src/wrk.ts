import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What one wrk run measured, as `wrk-report.lua` prints it. */
export interface WrkReport {
  requests: number;
  durationSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx/3xx responses. */
  non2xx: number;
  /** connect + read + write + timeout. */
  socketErrors: number;
  /** Requests with no answer within wrk's timeout (2 s), also counted in `socketErrors`. */
  timeouts: number;
  /**
   * A paced run's arrivals a second as its random schedule actually made them (the offered rate
   * is only their mean); undefined for a run at saturation.
   */
  scheduledPerSec: number | undefined;
}

const MARKER = '@@wrk ';
/** The numbers `wrk-report.lua` prints. */
type WrkField = 'requests' | 'durationUs' | 'connect' | 'read' | 'write' | 'status' | 'timeout' | 'p50Us' | 'p99Us' | 'maxUs';

/** Reads the `@@wrk {…}` line `wrk-report.lua` writes; throws when wrk printed none (it failed). */
export function parseWrkReport(stdout: string): WrkReport {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no report line:\n${stdout.slice(0, 2000)}`);
  const raw: unknown = JSON.parse(line.slice(MARKER.length));
  if (typeof raw !== 'object' || raw === null) throw new Error(`bad wrk report: ${line}`);
  const record = raw as Record<string, unknown>;
  const n = (key: WrkField) => {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`wrk report lacks ${key}: ${line}`);
    return value;
  };
  const durationSec = n('durationUs') / 1e6;
  const scheduled = record.scheduled;
  return {
    requests: n('requests'),
    durationSec,
    requestsPerSec: durationSec > 0 ? n('requests') / durationSec : 0,
    p50Ms: n('p50Us') / 1000,
    p99Ms: n('p99Us') / 1000,
    maxMs: n('maxUs') / 1000,
    non2xx: n('status'),
    socketErrors: n('connect') + n('read') + n('write') + n('timeout'),
    timeouts: n('timeout'),
    scheduledPerSec: typeof scheduled === 'number' && scheduled >= 0 && durationSec > 0 ? scheduled / durationSec : undefined,
  };
}

/** A run's errors as the tables count them: every failed request, and which of them timed out. */
export function errorCounts(report: WrkReport): { errors: number; timeouts: number } {
  return { errors: report.non2xx + report.socketErrors, timeouts: report.timeouts };
}

/** The mean gap in ms between a paced run's requests, `perSec` of them a second. */
export function meanGapMsFor(perSec: number): number {
  if (!(perSec > 0) || !Number.isFinite(perSec)) throw new Error(`cannot pace requests at ${perSec} a second`);
  return 1000 / perSec;
}

/** Parses `10s`, `500ms`, `1m` or a bare number of seconds into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`Not a duration: "${text}" (use e.g. 10s, 500ms, 1m)`);
  const value = Number(match[1]);
  return match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
}

export interface WrkRun {
  url: string;
  connections: number;
  durationSec: number;
  method?: string;
  body?: string;
  /** Sent on every request (wrk builds the request once, so they cost nothing per call). */
  headers?: Record<string, string>;
  /** CPU list for taskset (the load generator's core). */
  cpu: string;
  /**
   * A paced run: requests leave at random moments averaging this many a second (a Poisson stream),
   * each on the next connection free, however long the answers take. Unset: every connection sends
   * its next request as soon as it has an answer (the server's saturation).
   */
  ratePerSec?: number;
}

/** `Name: value` lines, as `wrk-report.lua` reads `WRK_HEADERS`. */
export function formatWrkHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => {
      if (/[\r\n:]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} cannot be passed to wrk`);
      return `${name}: ${value}`;
    })
    .join('\n');
}

const SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

/** Runs wrk pinned to `cpu` with one thread (one core) and returns its report. */
export function runWrk(run: WrkRun): Promise<WrkReport> {
  const args = ['-c', run.cpu, 'wrk', '-t1', `-c${run.connections}`, `-d${Math.max(1, Math.round(run.durationSec))}s`, '-s', SCRIPT, run.url];
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, {
      env: { ...process.env, WRK_METHOD: run.method ?? 'GET', WRK_BODY: run.body ?? '', WRK_HEADERS: formatWrkHeaders(run.headers ?? {}), WRK_GAP_MS: run.ratePerSec === undefined ? '' : String(meanGapMsFor(run.ratePerSec)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(parseWrkReport(out));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
