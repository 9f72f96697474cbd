import { createTRPCRouter, procedure } from '../../trpc.js';
import { heartbeatStrip } from './heartbeat-strip.js';
import {
  createHeartbeatInput,
  heartbeatListOutput,
  heartbeatOutput,
  heartbeatStripInput,
  heartbeatStripOutput,
  listHeartbeatsInput,
} from './heartbeats.schema.js';
import { listHeartbeats, recordHeartbeat } from './heartbeats.service.js';

const tags = ['heartbeats'];

export const heartbeatsRouter = createTRPCRouter({
  create: procedure
    .meta({
      openapi: { method: 'POST', path: '/services/{slug}/heartbeats', tags, summary: 'Report a heartbeat' },
      scopes: ['heartbeats:write'],
      successStatus: 201,
    })
    .input(createHeartbeatInput)
    .output(heartbeatOutput)
    .mutation(({ ctx, input }) => recordHeartbeat(ctx, input, ctx.audit)),

  list: procedure
    .meta({ openapi: { method: 'GET', path: '/services/{slug}/heartbeats', tags, summary: 'List heartbeats, newest first' }, scopes: ['services:read'] })
    .input(listHeartbeatsInput)
    .output(heartbeatListOutput)
    .query(({ ctx, input }) => listHeartbeats(ctx, input)),

  strip: procedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/heartbeats/strip',
        tags,
        summary: 'Heartbeats per service in fixed intervals (e.g. the last 24 hours in 30-minute buckets)',
      },
      scopes: ['services:read'],
      errorStatuses: [404],
    })
    .input(heartbeatStripInput)
    .output(heartbeatStripOutput)
    .query(({ ctx, input }) => heartbeatStrip(ctx, input)),
});
