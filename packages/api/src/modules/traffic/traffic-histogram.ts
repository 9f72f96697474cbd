import { TRAFFIC_LATENCY_BOUNDS_MS } from './traffic.schema.js';

/** Slots in a latency histogram: one per bound plus one for anything slower. */
export const LATENCY_SLOTS = TRAFFIC_LATENCY_BOUNDS_MS.length + 1;

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_SLOTS).fill(0);
}

export function latencySlot(ms: number): number {
  const slot = TRAFFIC_LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return slot === -1 ? TRAFFIC_LATENCY_BOUNDS_MS.length : slot;
}

export function addHistogram(into: number[], from: readonly number[]): void {
  for (let i = 0; i < LATENCY_SLOTS; i += 1) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/**
 * The `q` quantile (0–1) of a histogram, interpolated linearly inside the slot it falls in, as
 * Prometheus' histogram_quantile does; the overflow slot answers its lower bound. Null when empty.
 */
export function quantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    const inSlot = histogram[i] ?? 0;
    if (inSlot > 0 && seen + inSlot >= rank) {
      const lower = i === 0 ? 0 : (TRAFFIC_LATENCY_BOUNDS_MS[i - 1] ?? 0);
      const upper = TRAFFIC_LATENCY_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return round(lower + ((upper - lower) * (rank - seen)) / inSlot);
    }
    seen += inSlot;
  }
  return TRAFFIC_LATENCY_BOUNDS_MS.at(-1) ?? null;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
