import { z } from 'zod';
import { cursorInput, limitInput, pageOutput } from '../../common/pagination.js';

export const auditResult = z.enum(['success', 'failure', 'denied']).describe('`denied`: refused for lack of credentials or scope.');

export const listAuditInput = z.strictObject({
  actor: z.string().max(200).optional().describe('Only rows by this actor id (a user id or an API key id).'),
  action: z.string().max(100).optional().describe('Only this action, e.g. `services.create` or `auth.login`.').meta({ examples: ['auth.login'] }),
  result: auditResult.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Only rows at or after this instant (ISO 8601).'),
  to: z.iso.datetime({ offset: true }).optional().describe('Only rows before this instant (ISO 8601).'),
  limit: limitInput,
  cursor: cursorInput,
});

export const auditEntryOutput = z
  .object({
    id: z.uuid(),
    at: z.iso.datetime(),
    actor: z.object({
      kind: z.enum(['anonymous', 'user', 'apiKey']),
      id: z.string().nullable().describe('User id or API key id; null for anonymous.'),
      label: z.string().nullable().describe('The user’s email or the key’s name at the time.'),
    }),
    action: z.string().describe('The procedure path for mutations (`services.create`), or a security event (`auth.token.refresh_reuse`).'),
    target: z.string().nullable().describe('What it acted on: a slug, an id, an account name.'),
    result: auditResult,
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable().describe('Event-specific facts (never secrets).'),
  })
  .describe('One audit-log row; the log is append-only.');

export const auditListOutput = pageOutput(auditEntryOutput).describe('Newest first.');

export type AuditEntry = z.infer<typeof auditEntryOutput>;
export type ListAuditInput = z.infer<typeof listAuditInput>;
