/** Pure arithmetic and table layout for the harness; no I/O, so it is unit-tested. */

/** The median of a non-empty list (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * A 95 % confidence interval for the median of `values`, distribution-free: the order statistics
 * whose ranks a binomial(n, ½) count falls between 95 % of the time (normal approximation).
 * NaN bounds below eight values, where no such pair of ranks exists.
 */
export function medianInterval(values: readonly number[]): { low: number; high: number } {
  const n = values.length;
  const halfWidth = (1.96 * Math.sqrt(n)) / 2;
  const lowRank = Math.floor(n / 2 - halfWidth); // 1-based
  const highRank = Math.ceil(1 + n / 2 + halfWidth);
  if (lowRank < 1 || highRank > n) return { low: Number.NaN, high: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  return { low: sorted[lowRank - 1] ?? Number.NaN, high: sorted[highRank - 1] ?? Number.NaN };
}

/**
 * A paired comparison: `a[i]` and `b[i]` were measured back to back (round i), so a host that
 * speeds up or slows down between rounds moves both. The median of the ratios `a[i] / b[i]` and
 * its 95 % interval (NaN bounds below eight pairs).
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): { median: number; low: number; high: number; pairs: number } {
  if (a.length !== b.length) throw new Error(`pairedRatio: ${a.length} values against ${b.length}`);
  const ratios = a.map((value, i) => value / (b[i] ?? Number.NaN)).filter((r) => Number.isFinite(r));
  return { median: median(ratios), ...medianInterval(ratios), pairs: ratios.length };
}

/** `value / reference`, or null when there is no reference to compare with. */
export function ratio(value: number, reference: number | undefined): number | null {
  if (reference === undefined || !Number.isFinite(reference) || reference <= 0 || !Number.isFinite(value)) return null;
  return value / reference;
}

/** One wrk run of one cell (target × endpoint × connections) in one round. */
export interface Sample {
  target: string;
  endpoint: string;
  connections: number;
  round: number;
  requestsPerSec: number;
  /** Procedure calls per second: `requestsPerSec × callsPerRequest` (10 for a tRPC batch). */
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Of the errors, requests wrk gave up waiting for (its 2 s timeout): the load, not a failure. */
  timeouts: number;
  rssMb: number;
  /** Server CPU time per HTTP request, in µs, from /proc (user + system). */
  cpuUsPerRequest: number;
}

/** A cell's samples folded into one row: medians across rounds, errors summed. */
export interface Row {
  target: string;
  endpoint: string;
  connections: number;
  rounds: number;
  requestsPerSec: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  rssMb: number;
  cpuUsPerRequest: number;
  /** callsPerSec relative to the reference targets of the same endpoint and connections. */
  vsFastapi: number | null;
  vsFastify: number | null;
}

export const FASTAPI = 'fastapi';
export const FASTIFY = 'fastify';

/** Samples grouped by cell (target × endpoint × connections), cells and samples in first-seen order. */
export function cellsOf<T extends { target: string; endpoint: string; connections: number }>(samples: readonly T[]): T[][] {
  const cells = new Map<string, T[]>();
  for (const s of samples) {
    const key = `${s.target}\u0000${s.endpoint}\u0000${s.connections}`;
    const cell = cells.get(key);
    if (cell) cell.push(s);
    else cells.set(key, [s]);
  }
  return [...cells.values()];
}

/** Folds samples into rows (in first-seen order) and fills each row's ratios to the references. */
export function summarise(samples: readonly Sample[]): Row[] {
  const rows: Row[] = cellsOf(samples).map((cell) => {
    const first = cell[0] as Sample;
    return {
      target: first.target,
      endpoint: first.endpoint,
      connections: first.connections,
      rounds: cell.length,
      requestsPerSec: median(cell.map((s) => s.requestsPerSec)),
      callsPerSec: median(cell.map((s) => s.callsPerSec)),
      p50Ms: median(cell.map((s) => s.p50Ms)),
      p99Ms: median(cell.map((s) => s.p99Ms)),
      errors: cell.reduce((sum, s) => sum + s.errors, 0),
      timeouts: cell.reduce((sum, s) => sum + s.timeouts, 0),
      rssMb: median(cell.map((s) => s.rssMb)),
      cpuUsPerRequest: median(cell.map((s) => s.cpuUsPerRequest)),
      vsFastapi: null,
      vsFastify: null,
    };
  });
  const reference = (target: string, row: Row) =>
    rows.find((r) => r.target === target && r.endpoint === row.endpoint && r.connections === row.connections)?.callsPerSec;
  for (const row of rows) {
    row.vsFastapi = ratio(row.callsPerSec, reference(FASTAPI, row));
    row.vsFastify = ratio(row.callsPerSec, reference(FASTIFY, row));
  }
  return rows;
}

/** A goal from the issue, checked against one row; `applies` picks the rows it speaks about. */
export interface Goal {
  name: string;
  applies: (row: Row) => boolean;
  met: (row: Row) => boolean;
}

const isBareRest = (r: Row) => r.target === 'bastion-rest-bare';
const isRest = (r: Row) => r.target === 'bastion-rest';
const isTrpc = (r: Row) => r.target === 'bastion-trpc-bare';
const isBastion = (r: Row) => r.target.startsWith('bastion-');
const isGetOrPost = (r: Row) => r.endpoint === 'get' || r.endpoint === 'post';

/**
 * The targets. Ratios are judged on GET and POST — like for like (the bare rows) and, for
 * REST, also with every layer on; latency and errors on every Bastion row.
 */
export const GOALS: Goal[] = [
  // A ratio goal speaks only where its reference ran: a partial run without it says "not measured".
  { name: 'REST ≥3× FastAPI', applies: (r) => isBareRest(r) && isGetOrPost(r) && r.vsFastapi !== null, met: (r) => (r.vsFastapi ?? 0) >= 3 },
  { name: 'REST ≥0.7× Fastify', applies: (r) => isBareRest(r) && isGetOrPost(r) && r.vsFastify !== null, met: (r) => (r.vsFastify ?? 0) >= 0.7 },
  { name: 'REST, all layers on, ≥2.5× FastAPI', applies: (r) => isRest(r) && isGetOrPost(r) && r.vsFastapi !== null, met: (r) => (r.vsFastapi ?? 0) >= 2.5 },
  { name: 'tRPC ≥2× FastAPI', applies: (r) => isTrpc(r) && isGetOrPost(r) && r.vsFastapi !== null, met: (r) => (r.vsFastapi ?? 0) >= 2 },
  // A cell where every request outlived wrk's timeout has no latency figures and no counted
  // errors; it must not pass for being empty.
  { name: 'p99 <50 ms @256', applies: (r) => isBastion(r) && r.connections === 256, met: (r) => r.requestsPerSec > 0 && r.p99Ms < 50 },
  { name: 'zero errors', applies: isBastion, met: (r) => r.requestsPerSec > 0 && r.errors === 0 },
];

/** PASS, FAIL (naming the goals missed) or '' for a row no goal speaks about. */
export function verdict(row: Row, goals: readonly Goal[] = GOALS): string {
  const relevant = goals.filter((g) => g.applies(row));
  if (relevant.length === 0) return '';
  const missed = relevant.filter((g) => !g.met(row)).map((g) => g.name);
  return missed.length === 0 ? 'PASS' : `FAIL: ${missed.join(', ')}`;
}

const fixed = (value: number | null, digits: number, suffix = '') =>
  value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)}${suffix}`;

/** A GitHub-flavoured markdown table; numbers right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: readonly boolean[] = []): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (rightAlign[i] ? '---:' : '---'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/** A cell's errors, saying how many of them were timeouts (wrk gave up waiting) rather than failed answers. */
export function errorsCell({ errors, timeouts }: { errors: number; timeouts: number }): string {
  return timeouts > 0 ? `${errors} (${timeouts} timeouts)` : String(errors);
}

/** The results table the harness prints and writes. */
export function resultsTable(rows: readonly Row[], labels: Record<string, string> = {}): string {
  const header = ['endpoint', 'target', 'conns', 'req/s', 'calls/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'CPU µs/req', '× FastAPI', '× Fastify', 'goals'];
  const body = rows.map((r) => [
    labels[r.endpoint] ?? r.endpoint,
    labels[r.target] ?? r.target,
    String(r.connections),
    fixed(r.requestsPerSec, 0),
    fixed(r.callsPerSec, 0),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    errorsCell(r),
    fixed(r.rssMb, 0),
    fixed(r.cpuUsPerRequest, 0),
    fixed(r.vsFastapi, 2, '×'),
    fixed(r.vsFastify, 2, '×'),
    verdict(r),
  ]);
  return markdownTable(header, body, [false, false, true, true, true, true, true, true, true, true, true, true, false]);
}
