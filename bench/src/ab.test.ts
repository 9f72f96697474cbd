import { describe, expect, it } from 'vitest';
import { abReport } from './ab.js';

const turn = (callsPerSec: number, serverUs: number, postgresUs = 50, errors = 0) => ({ callsPerSec, serverUs, postgresUs, errors });

describe('abReport', () => {
  it('gives each checkout’s medians and the paired ratios with their interval', () => {
    const base = [4000, 5000, 4500, 4200, 4800, 4600, 4400, 4700].map((calls) => turn(calls, 150));
    const current = base.map((t) => turn(t.callsPerSec * 1.2, 120, 45));
    current[2] = turn(5400, 120, 45, 3);
    const report = abReport({ base: 'main (abc)', turns: { current, base } });
    const row = (label: string) => report.split('\n').find((line) => line.startsWith(`| ${label}`))?.split('|').map((cell) => cell.trim());
    expect(row('calls/s')).toEqual(['', 'calls/s', '5460', '4550', '1.200', '1.200–1.200', '']);
    expect(row('server CPU µs/call')?.slice(2, 5)).toEqual(['120', '150', '0.800']);
    expect(row('PostgreSQL CPU µs/call')?.slice(2, 5)).toEqual(['45', '50', '0.900']);
    expect(report).toContain('| main (abc) |');
    expect(report).toMatch(/errors and timeouts: 3$/);
  });
});
