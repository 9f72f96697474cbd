import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ANONYMOUS } from '../../auth/principal.js';
import { createTRPCRouter, procedure, type Context } from '../../trpc.js';
import { ALWAYS_ON_MODULES, switchableTargets } from './controls.rules.js';
import type { ControlsRuntime } from './controls.runtime.js';
import {
  blockIdInput,
  blockOutput,
  controlsOutput,
  createBlockInput,
  rateLimitsInput,
  rateLimitsOutput,
  setSwitchInput,
  setTargetLimitInput,
  switchOutput,
  switchTargetInput,
  targetLimitOutput,
  targetLimitTargetInput,
} from './controls.schema.js';
import {
  createBlock,
  deleteBlock,
  deleteSwitch,
  deleteTargetLimit,
  listBlocks,
  listSwitches,
  listTargetLimits,
  readControlsVersion,
  readRateLimits,
  recentControlChanges,
  resetRateLimits,
  setRateLimits,
  setSwitch,
  setTargetLimit,
} from './controls.service.js';

const tags = ['controls'];

function runtimeOf(ctx: Context): ControlsRuntime {
  if (!ctx.controls) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'controls runtime missing from context' });
  return ctx.controls;
}

const READ: { scopes: ['controls:read'] } = { scopes: ['controls:read'] };
const WRITE: { scopes: ['controls:write'] } = { scopes: ['controls:write'] };

/**
 * Runtime controls: kill switches, read-only mode, rate limits (per class and per target) and the block list. Reading needs
 * `controls:read`, changing `controls:write` (operators and admins have both). Every change is
 * audited by the procedure middleware and reaches every instance within 2 s.
 */
export const controlsRouter = createTRPCRouter({
  get: procedure
    .meta({ openapi: { method: 'GET', path: '/controls', tags, summary: 'Every runtime control in force, and who changed what' }, ...READ })
    .input(z.void())
    .output(controlsOutput)
    .query(async ({ ctx }) => {
      const runtime = runtimeOf(ctx);
      const [version, switches, rateLimits, blocks, targetLimits, recentChanges] = await Promise.all([
        readControlsVersion(ctx.db),
        listSwitches(ctx),
        readRateLimits(ctx, runtime.defaults),
        listBlocks(ctx),
        listTargetLimits(ctx),
        recentControlChanges(ctx),
      ]);
      return { version, switches, rateLimits, blocks, targetLimits, alwaysOn: [...ALWAYS_ON_MODULES], targets: switchableTargets(runtime.catalogue), recentChanges };
    }),

  switches: createTRPCRouter({
    set: procedure
      .meta({
        openapi: { method: 'PUT', path: '/controls/switches/{target}', tags, summary: 'Switch a module or procedure off, or make it (or `*`, the whole API) read-only' },
        ...WRITE,
      })
      .input(setSwitchInput)
      .output(switchOutput)
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = input.target;
        ctx.audit.detail = { state: input.state, reason: input.reason, retryAfterSeconds: input.retryAfterSeconds };
        const result = await setSwitch(ctx, ctx.principal ?? ANONYMOUS, runtime.catalogue, input);
        await runtime.changed();
        return result;
      }),

    delete: procedure
      .meta({
        openapi: { method: 'DELETE', path: '/controls/switches/{target}', tags, summary: 'Remove a switch: the module or procedure answers normally again' },
        ...WRITE,
        successStatus: 204,
      })
      .input(switchTargetInput)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = input.target;
        const removed = await deleteSwitch(ctx, input.target);
        ctx.audit.detail = { state: removed.state };
        await runtime.changed();
      }),
  }),

  rateLimits: createTRPCRouter({
    set: procedure
      .meta({ openapi: { method: 'PUT', path: '/controls/rate-limits', tags, summary: 'Set the rate limits (per minute, per caller and class of call)' }, ...WRITE })
      .input(rateLimitsInput)
      .output(rateLimitsOutput)
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = 'rate-limits';
        ctx.audit.detail = { anonymous: input.anonymous, principal: input.principal };
        const result = await setRateLimits(ctx, ctx.principal ?? ANONYMOUS, input, runtime.defaults);
        await runtime.changed();
        return result;
      }),

    reset: procedure
      .meta({
        openapi: { method: 'DELETE', path: '/controls/rate-limits', tags, summary: 'Restore the start-up rate limits (from the environment)' },
        ...WRITE,
        successStatus: 204,
      })
      .input(z.void())
      .output(z.void())
      .mutation(async ({ ctx }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = 'rate-limits';
        await resetRateLimits(ctx, ctx.principal ?? ANONYMOUS);
        await runtime.changed();
      }),
  }),

  targetLimits: createTRPCRouter({
    set: procedure
      .meta({
        openapi: { method: 'PUT', path: '/controls/target-limits/{target}', tags, summary: 'Throttle a module or procedure: requests a minute per caller, on top of the class limits' },
        ...WRITE,
      })
      .input(setTargetLimitInput)
      .output(targetLimitOutput)
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = input.target;
        ctx.audit.detail = { perMinute: input.perMinute, reason: input.reason };
        const result = await setTargetLimit(ctx, ctx.principal ?? ANONYMOUS, runtime.catalogue, input);
        await runtime.changed();
        return result;
      }),

    delete: procedure
      .meta({
        openapi: { method: 'DELETE', path: '/controls/target-limits/{target}', tags, summary: 'Remove a per-target limit: only the class limits apply again' },
        ...WRITE,
        successStatus: 204,
      })
      .input(targetLimitTargetInput)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = input.target;
        const removed = await deleteTargetLimit(ctx, input.target);
        ctx.audit.detail = { perMinute: removed.perMinute };
        await runtime.changed();
      }),
  }),

  blocks: createTRPCRouter({
    create: procedure
      .meta({
        openapi: { method: 'POST', path: '/controls/blocks', tags, summary: 'Block a user, an API key or an address range, at once' },
        ...WRITE,
        successStatus: 201,
        errorStatuses: [409],
      })
      .input(createBlockInput)
      .output(blockOutput)
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        const block = await createBlock(ctx, { principal: ctx.principal ?? ANONYMOUS, ip: ctx.ip }, input);
        ctx.audit.target = block.id;
        ctx.audit.detail = { kind: block.kind, value: block.value, reason: block.reason, expiresAt: block.expiresAt };
        await runtime.changed();
        return block;
      }),

    delete: procedure
      .meta({ openapi: { method: 'DELETE', path: '/controls/blocks/{id}', tags, summary: 'Lift a block' }, ...WRITE, successStatus: 204 })
      .input(blockIdInput)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        const runtime = runtimeOf(ctx);
        ctx.audit.target = input.id;
        const removed = await deleteBlock(ctx, input.id);
        ctx.audit.detail = { kind: removed.kind, value: removed.value };
        await runtime.changed();
      }),
  }),
});
