import { z } from 'zod';
import { cursorInput, limitInput, pageOutput } from '../../common/pagination.js';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const slugSchema = z
  .string()
  .min(2, 'A slug has at least 2 characters.')
  .max(63, 'A slug has at most 63 characters.')
  .regex(SLUG_PATTERN, 'Use lowercase letters, digits and single hyphens (kebab-case), e.g. "payments-api".')
  .describe('Unique, lowercase kebab-case identifier (2–63 characters).')
  .meta({ examples: ['payments-api'] });

export const serviceTier = z
  .enum(['critical', 'high', 'medium', 'low'])
  .describe('How much the business depends on the service.');

/** Worst first is `major_outage`; see `STATUS_SEVERITY` for the order. */
export const serviceStatus = z
  .enum(['operational', 'unknown', 'degraded', 'partial_outage', 'major_outage'])
  .describe('Derived on read from incidents, heartbeats and dependencies.');

export const statusReason = z
  .object({
    kind: z.enum(['incident', 'heartbeat', 'stale', 'dependency']).describe('What made the status so.'),
    status: serviceStatus,
    detail: z.string().describe('A sentence an operator can read.'),
    ref: z
      .string()
      .nullable()
      .describe('The incident id (incident) or dependency slug (dependency) behind the reason.'),
  })
  .describe('One cause of a service status.');

export const uptimeOutput = z
  .object({
    h24: z.number().nullable().describe('Percentage of heartbeats `up` in the last 24 hours; null without any.'),
    d7: z.number().nullable().describe('Same, over 7 days.'),
    d30: z.number().nullable().describe('Same, over 30 days.'),
  })
  .describe('Share of heartbeats reporting `up`.');

const description = z.string().max(2000).describe('What the service does.');
const owner = z.string().trim().max(120).describe('The team that owns the service.').meta({ examples: ['team-payments'] });
const name = z.string().trim().min(1, 'A name is required.').max(120).describe('Human-readable name.').meta({ examples: ['Payments API'] });
const dependsOn = z
  .array(slugSchema)
  .max(100)
  .describe('Slugs of the services this one calls.')
  .meta({ examples: [['auth-api']] });
const heartbeatIntervalSeconds = z
  .number()
  .int()
  .min(5)
  .max(86_400)
  .describe('How often monitors report, in seconds; silent for 3 intervals means `unknown`.')
  .meta({ examples: [60] });

export const createServiceInput = z
  .strictObject({
    slug: slugSchema,
    name,
    description: description.default(''),
    owner: owner.default(''),
    tier: serviceTier,
    dependsOn: dependsOn.default([]),
    heartbeatIntervalSeconds: heartbeatIntervalSeconds.default(60),
  })
  .describe('A service to add to the catalogue.');

export const updateServiceInput = z
  .strictObject({
    slug: slugSchema.describe('The service to change (slugs are permanent).'),
    name: name.optional(),
    description: description.optional(),
    owner: owner.optional(),
    tier: serviceTier.optional(),
    dependsOn: dependsOn.optional().describe('Replaces the whole dependency list.'),
    heartbeatIntervalSeconds: heartbeatIntervalSeconds.optional(),
  })
  .describe('Fields to change; absent fields keep their value.');

export const serviceSlugInput = z.object({ slug: slugSchema });

export const listServicesInput = z.object({
  status: serviceStatus.optional(),
  tier: serviceTier.optional(),
  q: z.string().trim().max(100).optional().describe('Case-insensitive match on slug, name, owner or description.'),
  limit: limitInput,
  cursor: cursorInput,
});

export const serviceOutput = z
  .object({
    id: z.uuid(),
    slug: slugSchema,
    name: z.string(),
    description: z.string(),
    owner: z.string(),
    tier: serviceTier,
    dependsOn: z.array(z.string()).describe('Slugs of the services this one calls.'),
    heartbeatIntervalSeconds: z.number().int(),
    status: serviceStatus,
    statusReasons: z.array(statusReason).describe('Why the status is what it is; empty when operational.'),
    lastHeartbeatAt: z.iso.datetime().nullable(),
    uptime: uptimeOutput,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe('A service with its derived status.');

export const serviceListOutput = pageOutput(serviceOutput);

export const blastRadiusItem = z.object({
  slug: z.string(),
  name: z.string(),
  tier: serviceTier,
  status: serviceStatus,
  depth: z.number().int().min(1).describe('1 = calls the service directly; 2 = through one other service; …'),
});
export const blastRadiusOutput = z
  .object({ items: z.array(blastRadiusItem) })
  .describe('Every service that depends on this one, directly or transitively, nearest first.');

export type ServiceStatus = z.infer<typeof serviceStatus>;
export type StatusReason = z.infer<typeof statusReason>;
export type ServiceTier = z.infer<typeof serviceTier>;
export type Service = z.infer<typeof serviceOutput>;
export type CreateServiceInput = z.infer<typeof createServiceInput>;
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;
export type ListServicesInput = z.infer<typeof listServicesInput>;
