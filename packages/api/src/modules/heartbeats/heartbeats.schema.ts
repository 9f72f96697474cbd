import { z } from 'zod';
import { cursorInput, limitInput, pageOutput } from '../../common/pagination.js';
import { slugSchema } from '../services/services.schema.js';

/** How far in the future a monitor's clock may run before its `observedAt` is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const heartbeatStatus = z.enum(['up', 'degraded', 'down']).describe('What the monitor saw.');

export const createHeartbeatInput = z.strictObject({
  slug: slugSchema.describe('The service the heartbeat is about.'),
  status: heartbeatStatus,
  latencyMs: z.number().int().min(0).max(3_600_000).optional().describe('Observed latency in milliseconds.').meta({ examples: [42] }),
  message: z.string().max(1000).optional().describe('Anything the monitor wants to say.').meta({ examples: ['HTTP 200 in 42 ms'] }),
  observedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When the monitor observed it (ISO 8601); defaults to when the API received it.'),
});

export const listHeartbeatsInput = z.object({
  slug: slugSchema,
  limit: limitInput,
  cursor: cursorInput,
});

export const heartbeatOutput = z
  .object({
    id: z.uuid(),
    serviceSlug: z.string(),
    status: heartbeatStatus,
    latencyMs: z.number().int().nullable(),
    message: z.string().nullable(),
    observedAt: z.iso.datetime(),
    receivedAt: z.iso.datetime(),
  })
  .describe('One observation of a service by an external monitor.');

export const heartbeatListOutput = pageOutput(heartbeatOutput).describe('Newest first.');

/** What one strip bucket shows: the worst heartbeat in it, or `missing` when none arrived. */
export const stripBucketStatus = z
  .enum(['up', 'degraded', 'down', 'missing'])
  .describe('The worst heartbeat observed in the interval (`down` > `degraded` > `up`); `missing` when none.');

export const heartbeatStripInput = z
  .object({
    hours: z.number().int().min(1).max(168).default(24).describe('How far back the strip reaches, in hours (1–168).').meta({ examples: [24] }),
    buckets: z
      .number()
      .int()
      .min(1)
      .max(288)
      .default(48)
      .describe('Intervals to split the window into (1–288); must divide it into whole seconds.')
      .meta({ examples: [48] }),
    service: slugSchema.describe('Only this service; the whole fleet when absent.').optional(),
  })
  .refine((input) => (input.hours * 3600) % input.buckets === 0, {
    path: ['buckets'],
    message: 'The window must split into whole seconds: pick buckets dividing hours × 3600 (e.g. 24, 48, 96 for 24 hours).',
  });

export const stripBucketOutput = z.object({
  start: z.iso.datetime().describe('Start of the interval (inclusive); it ends where the next starts.'),
  status: stripBucketStatus,
  up: z.number().int().min(0).describe('Heartbeats reporting `up` in the interval.'),
  degraded: z.number().int().min(0).describe('Heartbeats reporting `degraded`.'),
  down: z.number().int().min(0).describe('Heartbeats reporting `down`.'),
});

export const heartbeatStripOutput = z
  .object({
    from: z.iso.datetime().describe('Start of the first bucket.'),
    to: z.iso.datetime().describe('End of the last bucket: now, rounded up to a bucket boundary.'),
    bucketSeconds: z.number().int().min(1).describe('Length of every bucket, in seconds.').meta({ examples: [1800] }),
    services: z.array(
      z.object({
        slug: z.string(),
        buckets: z.array(stripBucketOutput).describe('Oldest first; the last one is the interval now in progress.'),
      }),
    ),
  })
  .describe('Heartbeats per service summarised into fixed intervals, aligned so that polling sees stable buckets.');

export type Heartbeat = z.infer<typeof heartbeatOutput>;
export type StripBucketStatus = z.infer<typeof stripBucketStatus>;
export type StripBucket = z.infer<typeof stripBucketOutput>;
export type HeartbeatStrip = z.infer<typeof heartbeatStripOutput>;
export type HeartbeatStripInput = z.infer<typeof heartbeatStripInput>;
export type CreateHeartbeatInput = z.infer<typeof createHeartbeatInput>;
export type ListHeartbeatsInput = z.infer<typeof listHeartbeatsInput>;
