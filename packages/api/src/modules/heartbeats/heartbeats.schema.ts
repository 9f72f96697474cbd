import { z } from 'zod';
import { cursorInput, limitInput, pageOutput } from '../../common/pagination.js';
import { slugSchema } from '../services/services.schema.js';

/** How far in the future a monitor's clock may run before its `observedAt` is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const heartbeatStatus = z.enum(['up', 'degraded', 'down']).describe('What the monitor saw.');

export const createHeartbeatInput = z.strictObject({
  slug: slugSchema.describe('The service the heartbeat is about.'),
  status: heartbeatStatus,
  latencyMs: z.number().int().min(0).max(3_600_000).optional().describe('Observed latency in milliseconds.').meta({ example: 42 }),
  message: z.string().max(1000).optional().describe('Anything the monitor wants to say.').meta({ example: 'HTTP 200 in 42 ms' }),
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

export type Heartbeat = z.infer<typeof heartbeatOutput>;
export type CreateHeartbeatInput = z.infer<typeof createHeartbeatInput>;
export type ListHeartbeatsInput = z.infer<typeof listHeartbeatsInput>;
