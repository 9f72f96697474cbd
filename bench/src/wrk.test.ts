import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWrkHeaders, meanGapMsFor, parseDuration, parseWrkReport, runWrk } from './wrk.js';

const WRK_STDOUT = `Running 10s test @ http://127.0.0.1:4201/api/v1/status
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.01ms    1.20ms  40.10ms   90.00%
  40000 requests in 10.00s, 20.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4000.00
@@wrk {"requests":40000,"durationUs":10000000,"connect":0,"read":1,"write":0,"status":3,"timeout":2,"p50Us":4800,"p99Us":12500,"maxUs":40100}
`;

describe('parseWrkReport', () => {
  it('reads throughput, latency percentiles and both kinds of error from the report line', () => {
    expect(parseWrkReport(WRK_STDOUT)).toEqual({
      requests: 40000,
      durationSec: 10,
      requestsPerSec: 4000,
      p50Ms: 4.8,
      p99Ms: 12.5,
      maxMs: 40.1,
      non2xx: 3,
      socketErrors: 3,
      timeouts: 2,
      scheduledPerSec: undefined,
    });
  });
  it('reads how many arrivals a paced run scheduled, as a rate; none for a run at saturation', () => {
    const paced = WRK_STDOUT.replace('"maxUs":40100}', '"maxUs":40100,"scheduled":40210.5}');
    expect(parseWrkReport(paced).scheduledPerSec).toBeCloseTo(4021.05);
    expect(parseWrkReport(WRK_STDOUT.replace('"maxUs":40100}', '"maxUs":40100,"scheduled":-1.0}')).scheduledPerSec).toBeUndefined();
  });
  it('fails loudly when wrk printed no report (it could not connect, or the script broke)', () => {
    expect(() => parseWrkReport('unable to connect to 127.0.0.1:4201 Connection refused')).toThrow(/no report line/);
  });
  it('rejects a report that lacks a field', () => {
    expect(() => parseWrkReport('@@wrk {"requests":1}')).toThrow(/lacks durationUs/);
  });
});

describe('parseDuration', () => {
  it('accepts seconds, milliseconds and minutes', () => {
    expect(parseDuration('10s')).toBe(10);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('1m')).toBe(60);
    expect(parseDuration('3')).toBe(3);
  });
  it('rejects anything else', () => {
    expect(() => parseDuration('ten')).toThrow(/Not a duration/);
  });
});

describe('formatWrkHeaders', () => {
  it('writes one `Name: value` line per header, as wrk-report.lua reads them', () => {
    expect(formatWrkHeaders({ 'X-API-Key': 'bst_abc_def', 'Idempotency-Key': 'k1' })).toBe('X-API-Key: bst_abc_def\nIdempotency-Key: k1');
    expect(formatWrkHeaders({})).toBe('');
  });
  it('refuses a header that would break the line format', () => {
    expect(() => formatWrkHeaders({ 'X-Bad': 'a\nb' })).toThrow(/cannot be passed/);
    expect(() => formatWrkHeaders({ 'X:Bad': 'a' })).toThrow(/cannot be passed/);
  });
});

describe('meanGapMsFor', () => {
  it('spaces a paced run\'s requests by 1000 ÷ rate ms on average', () => {
    expect(meanGapMsFor(1000)).toBe(1);
    expect(meanGapMsFor(250)).toBe(4);
  });
  it('refuses a rate it cannot pace rather than waiting forever or never', () => {
    expect(() => meanGapMsFor(0)).toThrow(/cannot pace/);
    expect(() => meanGapMsFor(Number.NaN)).toThrow(/cannot pace/);
    expect(() => meanGapMsFor(Number.POSITIVE_INFINITY)).toThrow(/cannot pace/);
  });
});

// wrk-report.lua itself, run by wrk against a server that takes 30 ms to answer.
describe('a paced run', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((_request, response) => {
      setTimeout(() => response.end('{}'), 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  it('offers the rate asked for, however long the answers take', async () => {
    // 8 connections could carry 266 a second here. Think times per connection (the old pacing)
    // delivered 8 ÷ (53 ms + 30 ms) ≈ 96 a second of the 150 asked.
    const report = await runWrk({ url, connections: 8, durationSec: 3, cpu: '0-1', ratePerSec: 150 });
    expect(report.requestsPerSec).toBeGreaterThan(150 * 0.85);
    expect(report.requestsPerSec).toBeLessThan(150 * 1.15);
    expect(report.p50Ms).toBeGreaterThanOrEqual(30);
    // Kept up: every arrival the schedule made was answered, bar the few in flight at the end.
    expect(report.scheduledPerSec).toBeGreaterThan(150 * 0.85);
    expect(Math.abs((report.scheduledPerSec ?? 0) - report.requestsPerSec) * report.durationSec).toBeLessThanOrEqual(8);
  });
  it('counts the arrivals a server too slow for the rate never got to', async () => {
    // 2 connections × 30 ms carry at most ~66 a second of the 150 scheduled.
    const report = await runWrk({ url, connections: 2, durationSec: 2, cpu: '0-1', ratePerSec: 150 });
    expect(report.requestsPerSec).toBeLessThan(70);
    expect(report.scheduledPerSec).toBeGreaterThan(150 * 0.8);
    expect(report.scheduledPerSec).toBeLessThan(150 * 1.2);
  });
  it('runs at saturation without a rate', async () => {
    const report = await runWrk({ url, connections: 8, durationSec: 1, cpu: '0-1' });
    expect(report.scheduledPerSec).toBeUndefined();
    // 8 connections, 30 ms each: about 266 a second, far above what the paced run asked.
    expect(report.requestsPerSec).toBeGreaterThan(200);
  });
});
