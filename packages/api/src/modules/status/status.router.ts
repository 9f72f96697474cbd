import { z } from 'zod';
import { createTRPCRouter, procedure } from '../../trpc.js';
import { statusOutput } from './status.schema.js';
import { statusSummary } from './status.service.js';

export const statusRouter = createTRPCRouter({
  get: procedure
    .meta({ openapi: { method: 'GET', path: '/status', tags: ['status'], summary: 'Public status summary', protect: false }, public: true })
    .input(z.void())
    .output(statusOutput)
    .query(({ ctx }) => statusSummary(ctx)),
});
