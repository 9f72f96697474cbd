import { describe, expect, it } from 'vitest';
import { formatWrkHeaders, parseDuration, parseWrkReport } from './wrk.js';

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
    });
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
