import type { TrafficOutput } from '@bastion/api/traffic/schema';

/** The windows the page offers, in minutes. */
export const WINDOWS = [5, 15, 60, 360] as const;
export type TrafficWindow = (typeof WINDOWS)[number];

type Point = TrafficOutput['series'][number];

/**
 * The newest bucket that has closed: the one still filling under-reports its rate, so the
 * headline figures use the one before it.
 */
export function latestFullBucket(traffic: Pick<TrafficOutput, 'series'>): Point | undefined {
  return traffic.series.at(-2) ?? traffic.series.at(-1);
}

/** Requests refused for who the caller is or how often it calls. */
export function refusals(counts: Pick<Point, 'status401' | 'status403' | 'status429'>): number {
  return counts.status401 + counts.status403 + counts.status429;
}
