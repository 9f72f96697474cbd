import { createTRPCRouter, publicProcedure } from '../../trpc.js';
import { createHeartbeatInput, heartbeatListOutput, heartbeatOutput, listHeartbeatsInput } from './heartbeats.schema.js';
import { listHeartbeats, recordHeartbeat } from './heartbeats.service.js';

const tags = ['heartbeats'];

export const heartbeatsRouter = createTRPCRouter({
  create: publicProcedure
    .meta({
      openapi: { method: 'POST', path: '/services/{slug}/heartbeats', tags, summary: 'Report a heartbeat' },
      successStatus: 201,
    })
    .input(createHeartbeatInput)
    .output(heartbeatOutput)
    .mutation(({ ctx, input }) => recordHeartbeat(ctx, input)),

  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/services/{slug}/heartbeats', tags, summary: 'List heartbeats, newest first' } })
    .input(listHeartbeatsInput)
    .output(heartbeatListOutput)
    .query(({ ctx, input }) => listHeartbeats(ctx, input)),
});
