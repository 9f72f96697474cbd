import { describe, expect, it } from 'vitest';
import { latestFullBucket, refusals } from './traffic-summary';

const point = (at: string, perSecond: number) => ({
  at,
  perSecond,
  requests: perSecond * 10,
  status2xx: 0,
  status3xx: 0,
  status4xx: 0,
  status5xx: 0,
  status401: 0,
  status403: 0,
  status429: 0,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
});

describe('traffic summary', () => {
  it('headlines the last closed bucket, not the one still filling', () => {
    const series = [point('2025-06-01T12:00:00.000Z', 5), point('2025-06-01T12:00:10.000Z', 40), point('2025-06-01T12:00:20.000Z', 1)];
    expect(latestFullBucket({ series })?.perSecond).toBe(40);
    expect(latestFullBucket({ series: series.slice(0, 1) })?.perSecond).toBe(5);
    expect(latestFullBucket({ series: [] })).toBeUndefined();
  });

  it('counts refusals as 401 + 403 + 429', () => {
    expect(refusals({ status401: 3, status403: 2, status429: 50 })).toBe(55);
  });
});
