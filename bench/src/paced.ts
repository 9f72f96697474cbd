/**
 * Latency at a fixed load. The results table measures every server at saturation: wrk's
 * connections each send again the moment an answer lands, so a cell's mean latency is
 * connections ÷ throughput (Little's law) whatever the server does, and p99 < 50 ms with 256
 * connections would need over 5,120 answers a second from any server. Here each target is instead
 * offered one fixed load, the most FastAPI could serve on that endpoint in the same run, from the
 * same number of connections whose requests are spread out (see `wrk-report.lua`); the latency is
 * then what a client waits at that load, not a queue the load generator built.
 */
import { cellsOf, errorsCell, markdownTable, median } from './stats.js';

export interface PacedSample {
  target: string;
  endpoint: string;
  connections: number;
  /** HTTP requests a second offered (procedure calls ÷ calls per request): the schedule's mean. */
  offeredPerSec: number;
  /**
   * The requests a second the random schedule actually made in this cell. At 44 arrivals (a batch
   * row) chance alone moves the count by ±15 % around the mean, so keeping up is judged against it.
   */
  scheduledPerSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Of the errors, requests wrk gave up waiting for (2 s). */
  timeouts: number;
}

/** The goal's name says the connection count it was judged at (the run's largest). */
export const pacedGoalName = (connections: number) => `p99 <50 ms @${connections} at FastAPI’s peak load (paced)`;
/** Below this share of the arrivals scheduled the server did not keep up, whatever its latency. */
const KEPT_UP = 0.9;

/**
 * One row per target, endpoint and connection count from its rounds: medians of throughput and
 * latency (a single stall in a short, slow cell moves its p99 a lot), errors summed.
 */
export function summarisePaced(samples: readonly PacedSample[]): PacedSample[] {
  return cellsOf(samples).map((cell) => {
    const first = cell[0] as PacedSample;
    return {
      ...first,
      scheduledPerSec: median(cell.map((s) => s.scheduledPerSec)),
      requestsPerSec: median(cell.map((s) => s.requestsPerSec)),
      p50Ms: median(cell.map((s) => s.p50Ms)),
      p99Ms: median(cell.map((s) => s.p99Ms)),
      errors: cell.reduce((sum, s) => sum + s.errors, 0),
      timeouts: cell.reduce((sum, s) => sum + s.timeouts, 0),
    };
  });
}

/** Kept up with the arrivals scheduled, with p99 under 50 ms and not one error. */
export function pacedMet(sample: PacedSample): boolean {
  return sample.requestsPerSec >= KEPT_UP * sample.scheduledPerSec && sample.p99Ms < 50 && sample.errors === 0;
}

/** The goal line over the Bastion rows (the baselines are shown, not judged). */
export function pacedGoalLine(samples: readonly PacedSample[]): string {
  const judged = samples.filter((s) => s.target.startsWith('bastion-'));
  const failed = judged.filter((s) => !pacedMet(s));
  const status = judged.length === 0 ? 'not measured' : failed.length === 0 ? 'PASS' : `FAIL (${failed.length}/${judged.length} rows)`;
  const connections = samples.length > 0 ? Math.max(...samples.map((s) => s.connections)) : 256;
  return `- **${pacedGoalName(connections)}**: ${status}`;
}

export function pacedTable(samples: readonly PacedSample[], labels: Record<string, string> = {}): string {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
  const rows = samples.map((s) => [
    labels[s.endpoint] ?? s.endpoint,
    labels[s.target] ?? s.target,
    String(s.connections),
    s.offeredPerSec.toFixed(0),
    s.scheduledPerSec.toFixed(0),
    s.requestsPerSec.toFixed(0),
    ms(s.p50Ms),
    ms(s.p99Ms),
    errorsCell(s),
    s.target.startsWith('bastion-') ? (pacedMet(s) ? 'PASS' : 'FAIL') : '',
  ]);
  return markdownTable(
    ['endpoint', 'target', 'conns', 'offered req/s', 'scheduled req/s', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'goal'],
    rows,
    [false, false, true, true, true, true, true, true, true, false],
  );
}
