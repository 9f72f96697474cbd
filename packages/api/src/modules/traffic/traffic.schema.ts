import { z } from 'zod';

/** Buckets are this wide; the Traffic page's resolution. */
export const TRAFFIC_BUCKET_SECONDS = 10;

/**
 * Upper bounds (ms) of the latency histogram each bucket keeps; one more slot counts anything
 * slower. Histograms (not raw samples) so instances' percentiles merge exactly bucket by bucket.
 */
export const TRAFFIC_LATENCY_BOUNDS_MS = [1, 2, 3, 5, 7.5, 10, 15, 25, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000] as const;

export const readTrafficInput = z
  .strictObject({
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15)
      .describe('How far back to look, in minutes (1 to 1440).'),
  })
  .describe('The window to read.');

const counts = {
  requests: z.int().describe('Requests answered.'),
  status2xx: z.int(),
  status3xx: z.int(),
  status4xx: z.int(),
  status5xx: z.int(),
  status401: z.int().describe('Unauthenticated: missing or bad credentials.'),
  status403: z.int().describe('Refused: missing scope, blocked principal, CSRF.'),
  status429: z.int().describe('Rate limited or throttled.'),
};

const percentiles = {
  p50Ms: z.number().nullable().describe('Median latency in ms; null without requests.'),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
};

export const trafficPoint = z
  .object({
    at: z.iso.datetime().describe('Start of the bucket.'),
    perSecond: z.number().describe('Requests per second over the bucket.'),
    ...counts,
    ...percentiles,
  })
  .describe('One bucket of traffic, summed over every server instance.');

export const trafficByProcedure = z
  .object({ procedure: z.string().describe('The procedure or route template.'), ...counts, ...percentiles })
  .describe('Traffic of one procedure over the window.');

export const trafficByCaller = z
  .object({
    kind: z.enum(['apiKey', 'user', 'ip']).describe('An API key, a signed-in user, or (anonymous callers) a client address.'),
    id: z.string().describe('The API key id, the user id, or the IP address.').meta({ examples: ['0b6f3c1e-8c1f-4f63-9a55-4a3c1f0e2b7d'] }),
    name: z.string().nullable().describe("The key's name or the user's email; null for an address (or a key or user since deleted)."),
    keyPrefix: z.string().nullable().describe("The key's public prefix, as the API keys page shows it (never the secret); null otherwise."),
    revoked: z.boolean().describe('An API key that has been revoked since (its later requests are answered 401).'),
    requests: z.int().describe('Requests answered over the window, summed over every instance.'),
    status4xx: z.int(),
    status5xx: z.int(),
    status429: z.int().describe('Rate limited or throttled.'),
  })
  .describe(
    'One caller over the window. Each instance keeps its 20 busiest callers per 10-second bucket, so a caller outside every top 20 is not listed, and one that became busy mid-bucket among many others is counted from then on.',
  );

export const trafficOutput = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    bucketSeconds: z.int(),
    instances: z.int().describe('Server instances that reported traffic in the window.'),
    totals: z.object({ ...counts, ...percentiles }),
    series: z.array(trafficPoint).describe('Every bucket of the window, oldest first, zero-filled.'),
    procedures: z.array(trafficByProcedure).describe('The busiest procedures over the window (at most 20), busiest first.'),
    callers: z.array(trafficByCaller).describe('The busiest callers over the window (at most 20), busiest first: who is behind a flood.'),
  })
  .describe('Live traffic: what an operator watches during an attack.');

export type ReadTrafficInput = z.infer<typeof readTrafficInput>;
export type TrafficOutput = z.infer<typeof trafficOutput>;
export type TrafficByCaller = z.infer<typeof trafficByCaller>;
export type TrafficCounts = { [K in keyof typeof counts]: number };
