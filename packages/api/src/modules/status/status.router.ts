import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../../trpc.js';
import { statusOutput } from './status.schema.js';
import { statusSummary } from './status.service.js';

export const statusRouter = createTRPCRouter({
  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/status', tags: ['status'], summary: 'Public status summary', protect: false } })
    .input(z.void())
    .output(statusOutput)
    .query(({ ctx }) => statusSummary(ctx)),
});
