import { describe, expect, it } from 'vitest';
import { median, medianInterval, pairedRatio, ratio, resultsTable, summarise, verdict, type Row, type Sample } from './stats.js';

const sample = (over: Partial<Sample>): Sample => ({
  target: 'bastion-rest',
  endpoint: 'get',
  connections: 64,
  round: 0,
  requestsPerSec: 1000,
  callsPerSec: 1000,
  p50Ms: 1,
  p99Ms: 5,
  errors: 0,
  timeouts: 0,
  rssMb: 100,
  cpuUsPerRequest: 100,
  ...over,
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is NaN for no values rather than a made-up number', () => {
    expect(median([])).toBeNaN();
  });
});

describe('medianInterval', () => {
  it('brackets the median with the order statistics a 95 % interval takes (ranks 13 and 28 of 40)', () => {
    const values = Array.from({ length: 40 }, (_, i) => 40 - i); // 40 … 1, unsorted on purpose
    expect(medianInterval(values)).toEqual({ low: 13, high: 28 });
  });
  it('narrows relative to n as values are added (ranks 180 and 221 of 400: 10 % of the range, not 38 %)', () => {
    const values = Array.from({ length: 400 }, (_, i) => i + 1);
    expect(medianInterval(values)).toEqual({ low: 180, high: 221 });
  });
  it('has no interval for too few values rather than a made-up one', () => {
    expect(medianInterval([1, 2, 3, 4, 5, 6, 7])).toEqual({ low: Number.NaN, high: Number.NaN });
    expect(medianInterval([1, 2, 3, 4, 5, 6, 7, 8])).toEqual({ low: 1, high: 8 });
  });
});

describe('pairedRatio', () => {
  it('compares round by round, so a host that slows down between rounds does not move the answer', () => {
    // The host halves its speed every round; the change is 10 % faster in each.
    const base = [1000, 500, 250, 125, 62.5, 31.25, 15.625, 7.8125];
    const current = base.map((value) => value * 1.1);
    const paired = pairedRatio(current, base);
    expect(paired.median).toBeCloseTo(1.1);
    expect(paired.low).toBeCloseTo(1.1);
    expect(paired.high).toBeCloseTo(1.1);
    expect(paired.pairs).toBe(8);
  });

  it('skips pairs without a finite ratio, has no interval below eight pairs, and refuses unequal lists', () => {
    expect(pairedRatio([2, 3, 4], [1, 0, 2])).toEqual({ median: 2, low: Number.NaN, high: Number.NaN, pairs: 2 });
    expect(() => pairedRatio([1], [1, 2])).toThrow(/1 values against 2/);
  });
});

describe('ratio', () => {
  it('is null without a usable reference', () => {
    expect(ratio(10, undefined)).toBeNull();
    expect(ratio(10, 0)).toBeNull();
    expect(ratio(10, 4)).toBe(2.5);
  });
});

describe('summarise', () => {
  it('folds rounds into medians, sums errors and compares calls/s with FastAPI and Fastify of the same cell', () => {
    const rows = summarise([
      sample({ round: 0, callsPerSec: 3000, p99Ms: 9, errors: 1, timeouts: 1 }),
      sample({ round: 1, callsPerSec: 3300, p99Ms: 7, errors: 2 }),
      sample({ round: 2, callsPerSec: 3100, p99Ms: 8 }),
      sample({ target: 'fastapi', callsPerSec: 1000 }),
      sample({ target: 'fastify', callsPerSec: 4000 }),
      sample({ target: 'fastapi', connections: 256, callsPerSec: 50 }),
    ]);
    const rest = rows.find((r) => r.target === 'bastion-rest');
    expect(rest).toMatchObject({ rounds: 3, callsPerSec: 3100, p99Ms: 8, errors: 3, timeouts: 1 });
    expect(rest?.vsFastapi).toBeCloseTo(3.1);
    expect(rest?.vsFastify).toBeCloseTo(0.775);
  });
});

describe('verdict', () => {
  const row = (over: Partial<Row>): Row => ({
    ...sample({}),
    rounds: 3,
    vsFastapi: 3.5,
    vsFastify: 0.9,
    ...over,
  });
  it('passes a REST GET row that meets every goal', () => {
    expect(verdict(row({ target: 'bastion-rest-bare' }))).toBe('PASS');
  });
  it('names each goal a row misses', () => {
    expect(verdict(row({ target: 'bastion-rest-bare', vsFastapi: 2, errors: 4 }))).toBe('FAIL: REST ≥3× FastAPI, zero errors');
    expect(verdict(row({ connections: 256, p99Ms: 80 }))).toBe('FAIL: p99 <50 ms @256');
  });
  it('holds the bare rows to the like-for-like ratios and the full REST rows to 2.5× FastAPI', () => {
    expect(verdict(row({ target: 'bastion-rest-bare', vsFastapi: 2.6, vsFastify: 0.6 }))).toBe('FAIL: REST ≥3× FastAPI, REST ≥0.7× Fastify');
    expect(verdict(row({ target: 'bastion-rest', vsFastapi: 2.6, vsFastify: 0.6 }))).toBe('PASS');
    expect(verdict(row({ target: 'bastion-rest', vsFastapi: 2.4 }))).toBe('FAIL: REST, all layers on, ≥2.5× FastAPI');
    expect(verdict(row({ target: 'bastion-trpc-bare', vsFastapi: 1.9 }))).toBe('FAIL: tRPC ≥2× FastAPI');
  });
  it('fails a cell that completed no request instead of passing it for having no errors', () => {
    expect(verdict(row({ target: 'bastion-trpc-batch', connections: 256, requestsPerSec: 0, callsPerSec: 0, p99Ms: 0 }))).toBe(
      'FAIL: p99 <50 ms @256, zero errors',
    );
  });
  it('does not judge a ratio whose reference was not in the run', () => {
    expect(verdict(row({ target: 'bastion-rest-bare', vsFastify: null }))).toBe('PASS');
    expect(verdict(row({ target: 'bastion-rest-bare', vsFastapi: null, vsFastify: null }))).toBe('PASS');
    expect(verdict(row({ target: 'bastion-rest-bare', vsFastapi: 2, vsFastify: null }))).toBe('FAIL: REST ≥3× FastAPI');
  });
  it('says nothing about baselines', () => {
    expect(verdict(row({ target: 'fastapi' }))).toBe('');
  });
  it('renders one markdown line per row with the verdict', () => {
    const table = resultsTable([row({})], { 'bastion-rest': 'Bastion REST' });
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('| Bastion REST | 64 | 1000 | 1000 |');
    expect(table).toContain('3.50× | 0.90× | PASS |');
  });
  it('says how many of a cell’s errors were timeouts', () => {
    expect(resultsTable([row({ errors: 9, timeouts: 7 })])).toContain('| 9 (7 timeouts) |');
    expect(resultsTable([row({ errors: 2 })])).toContain('| 2 |');
  });
});
