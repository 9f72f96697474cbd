import { describe, expect, it } from 'vitest';
import { pacedGoalLine, pacedMet, pacedTable, summarisePaced, type PacedSample } from './paced.js';

const sample = (over: Partial<PacedSample>): PacedSample => ({
  target: 'bastion-rest',
  endpoint: 'post',
  connections: 256,
  offeredPerSec: 1000,
  scheduledPerSec: 1000,
  requestsPerSec: 990,
  p50Ms: 3,
  p99Ms: 20,
  errors: 0,
  timeouts: 0,
  ...over,
});

describe('pacedMet', () => {
  it('passes a server that kept up with p99 under 50 ms and no error', () => {
    expect(pacedMet(sample({}))).toBe(true);
  });
  it('fails slow answers, errors, and a server that fell behind the offered load', () => {
    expect(pacedMet(sample({ p99Ms: 50 }))).toBe(false);
    expect(pacedMet(sample({ errors: 1 }))).toBe(false);
    // Fewer answers than offered: the server fell behind (its queue grew), not a pass.
    expect(pacedMet(sample({ requestsPerSec: 800 }))).toBe(false);
  });
  it('judges keeping up against the arrivals the schedule made, not their mean', () => {
    // A short, slow cell whose random schedule sent 20 % fewer requests than the mean: all answered.
    expect(pacedMet(sample({ offeredPerSec: 11, scheduledPerSec: 8.8, requestsPerSec: 8.8 }))).toBe(true);
    // One whose schedule sent 20 % more than the mean, answering only the mean: it fell behind.
    expect(pacedMet(sample({ offeredPerSec: 11, scheduledPerSec: 13.2, requestsPerSec: 11 }))).toBe(false);
  });
});

describe('the paced report', () => {
  it('judges Bastion rows only and counts the misses', () => {
    const samples = [sample({}), sample({ target: 'bastion-trpc', p99Ms: 70 }), sample({ target: 'fastapi', p99Ms: 900 })];
    expect(pacedGoalLine(samples)).toBe('- **p99 <50 ms @256 at FastAPI’s peak load (paced)**: FAIL (1/2 rows)');
    expect(pacedGoalLine(samples.slice(0, 1))).toContain('PASS');
    expect(pacedGoalLine([])).toContain('not measured');
    // A run at fewer connections says so instead of claiming 256.
    expect(pacedGoalLine([sample({ connections: 16 })])).toBe('- **p99 <50 ms @16 at FastAPI’s peak load (paced)**: PASS');
    const table = pacedTable(samples, { 'bastion-rest': 'Bastion REST' }).split('\n');
    expect(table).toHaveLength(5);
    expect(table[2]).toBe('| post | Bastion REST | 256 | 1000 | 1000 | 990 | 3.00 | 20.00 | 0 | PASS |');
    expect(table[4]?.endsWith('| 900.00 | 0 |  |')).toBe(true);
  });
});

describe('summarisePaced', () => {
  it('folds rounds into one row per cell: medians, so one stalled round does not decide p99, and errors summed', () => {
    const rows = summarisePaced([
      sample({ p99Ms: 20, errors: 1 }),
      sample({ target: 'fastapi', p99Ms: 300 }),
      sample({ p99Ms: 140, requestsPerSec: 900, scheduledPerSec: 900 }),
      sample({ p99Ms: 25, errors: 2, timeouts: 2, scheduledPerSec: 1100 }),
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ target: 'bastion-rest', p99Ms: 25, requestsPerSec: 990, scheduledPerSec: 1000, errors: 3, timeouts: 2 });
    expect(pacedTable(rows)).toContain('| 3 (2 timeouts) |');
    expect(rows[1]).toMatchObject({ target: 'fastapi', p99Ms: 300 });
  });
});
