import { createTRPCRouter, procedure } from '../../trpc.js';
import { auditListOutput, listAuditInput } from './audit.schema.js';
import { listAudit } from './audit.service.js';

export const auditRouter = createTRPCRouter({
  list: procedure
    .meta({ openapi: { method: 'GET', path: '/audit', tags: ['audit'], summary: 'Read the audit log, newest first' }, scopes: ['audit:read'] })
    .input(listAuditInput)
    .output(auditListOutput)
    .query(({ ctx, input }) => listAudit(ctx, input)),
});
