import { z } from 'zod';
import { auditEntryOutput } from '../audit/audit.schema.js';

export const switchTarget = z
  .string()
  .max(200)
  .regex(/^(\*|[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*)$/, 'A module (`incidents`), a procedure (`incidents.create`) or `*` for the whole API.')
  .describe('What the switch acts on: a module (`incidents`), a procedure path (`incidents.create`), or `*` for the whole API (read-only only).')
  .meta({ examples: ['incidents'] });

export const switchState = z
  .enum(['off', 'read-only'])
  .describe('`off`: every call answers 503 `module-disabled`. `read-only`: queries work, changes answer 503 `read-only`.');

export const setSwitchInput = z
  .strictObject({
    target: switchTarget,
    state: switchState,
    reason: z.string().trim().max(500).optional().describe('Why; shown to callers in the problem `detail` and in the audit log.').meta({ examples: ['Under attack: stolen key flooding incidents'] }),
    retryAfterSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(120)
      .describe('What `Retry-After` tells refused callers, in seconds (default 120).'),
  })
  .describe('Switch a module or procedure off, or make it (or the whole API) read-only.');

export const switchTargetInput = z.strictObject({ target: switchTarget });

const perMinute = z.number().int().min(0).max(1_000_000).describe('Requests per minute; 0 = unlimited.');

export const classLimits = z
  .strictObject({
    read: perMinute.describe('Queries (GET), per minute; 0 = unlimited.'),
    write: perMinute.describe('Mutations (POST, PUT, PATCH, DELETE), per minute; 0 = unlimited.'),
    auth: perMinute.describe('Sign-in: `POST /auth/session` and `POST /auth/token`, per minute; 0 = unlimited.'),
  })
  .describe('Requests per minute for each class of call.');

export const rateLimitsInput = z
  .strictObject({
    anonymous: classLimits.describe('Callers without credentials, counted per client address.'),
    principal: classLimits.describe('Signed-in users and API keys, counted per user or key.'),
  })
  .describe('The whole rate-limit table; takes effect on every instance within 2 s.')
  .meta({ examples: [{ anonymous: { read: 300, write: 60, auth: 30 }, principal: { read: 1200, write: 600, auth: 60 } }] });

export const setTargetLimitInput = z
  .strictObject({
    target: switchTarget.describe('A module (`incidents`) or a procedure path (`incidents.create`); not `*`, health, `status`, `auth` or `controls`.'),
    perMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .describe('Requests a minute each caller (user, API key, or address for anonymous callers) may make to the target; counted on top of the class limits.')
      .meta({ examples: [30] }),
    reason: z.string().trim().max(500).optional().describe('Why; shown to refused callers in the problem `detail` and kept in the audit log.').meta({ examples: ['Stolen key flooding incidents'] }),
  })
  .describe('Throttle one module or procedure: a per-caller budget a minute for that target alone.');

export const targetLimitTargetInput = z.strictObject({ target: switchTarget });

const blockKind = z.enum(['user', 'apiKey', 'ip']).describe('`user` and `apiKey` take an id; `ip` an address or CIDR range.');

export const createBlockInput = z
  .strictObject({
    kind: blockKind,
    value: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .describe('A user id, an API key id (blocking a user blocks their keys too), or an IPv4/IPv6 address or CIDR range.')
      .meta({ examples: ['203.0.113.0/24'] }),
    reason: z.string().trim().max(500).optional().describe('Why; kept with the entry and in the audit log.'),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the block lifts by itself (ISO 8601); never when absent.'),
  })
  .describe('Deny a user, an API key or an address range, at once, on both faces.');

export const blockIdInput = z.strictObject({ id: z.uuid().describe('Block-list entry id.') });

export const actorOutput = z
  .object({
    kind: z.enum(['anonymous', 'user', 'apiKey']),
    id: z.string().nullable(),
    label: z.string().nullable().describe('The user’s email or the key’s name at the time.'),
  })
  .describe('Who made the change.');

export const switchOutput = z
  .object({
    target: switchTarget,
    state: switchState,
    reason: z.string().nullable(),
    retryAfterSeconds: z.number().int(),
    changedBy: actorOutput,
    changedAt: z.iso.datetime(),
  })
  .describe('A kill switch or read-only switch in force.');

export const blockOutput = z
  .object({
    id: z.uuid(),
    kind: blockKind,
    value: z.string().describe('The id, or the range normalised to its network address (`10.0.0.0/8`).'),
    reason: z.string().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    changedBy: actorOutput,
    changedAt: z.iso.datetime(),
  })
  .describe('A block-list entry.');

export const targetLimitOutput = z
  .object({
    target: switchTarget,
    perMinute: z.number().int().describe('Requests a minute per caller for this target.'),
    reason: z.string().nullable(),
    changedBy: actorOutput,
    changedAt: z.iso.datetime(),
  })
  .describe('A per-target rate limit in force.');

export const rateLimitsOutput = rateLimitsInput
  .extend({
    windowSeconds: z.number().int().describe('The window the limits count in (60).'),
    source: z.enum(['defaults', 'override']).describe('`defaults`: the start-up settings (environment); `override`: set through the controls.'),
    defaults: rateLimitsInput.describe('The start-up settings, restored by `DELETE /controls/rate-limits`.'),
    changedBy: actorOutput.nullable(),
    changedAt: z.iso.datetime().nullable(),
  })
  .describe('The rate limits in force.');

export const controlsOutput = z
  .object({
    version: z.number().int().describe('Goes up with every change.'),
    switches: z.array(switchOutput),
    rateLimits: rateLimitsOutput,
    blocks: z.array(blockOutput),
    targetLimits: z.array(targetLimitOutput).describe('Per-target rate limits (modules and procedures), on top of `rateLimits`.'),
    alwaysOn: z.array(z.string()).describe('Modules no switch reaches (health endpoints are never procedures, so never switchable either).'),
    targets: z.array(z.string()).describe('Every module and procedure a switch or a per-target limit may name.'),
    recentChanges: z.array(auditEntryOutput).describe('The last 20 control changes from the audit log, newest first.'),
  })
  .describe('Every runtime control in force, and who changed what.');

export type SetSwitchInput = z.infer<typeof setSwitchInput>;
export type CreateBlockInput = z.infer<typeof createBlockInput>;
export type RateLimitsInput = z.infer<typeof rateLimitsInput>;
export type Actor = z.infer<typeof actorOutput>;
export type SwitchOutput = z.infer<typeof switchOutput>;
export type SetTargetLimitInput = z.infer<typeof setTargetLimitInput>;
export type TargetLimitOutput = z.infer<typeof targetLimitOutput>;
export type BlockOutput = z.infer<typeof blockOutput>;
export type RateLimitsOutput = z.infer<typeof rateLimitsOutput>;
export type ControlsOutput = z.infer<typeof controlsOutput>;
