import { createTRPCRouter, procedure } from '../../trpc.js';
import { readTrafficInput, trafficOutput } from './traffic.schema.js';
import { readTraffic } from './traffic.service.js';

export const trafficRouter = createTRPCRouter({
  get: procedure
    .meta({
      openapi: { method: 'GET', path: '/traffic', tags: ['traffic'], summary: 'Live traffic: request rate, latency percentiles and errors over time' },
      scopes: ['traffic:read'],
    })
    .input(readTrafficInput)
    .output(trafficOutput)
    .query(({ ctx, input }) => readTraffic(ctx, input)),
});
