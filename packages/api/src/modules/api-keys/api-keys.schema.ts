import { z } from 'zod';
import { scopeSchema } from '../../auth/scope-schemas.js';

export const createApiKeyInput = z
  .strictObject({
    name: z.string().trim().min(1, 'A name is required.').max(100).describe('What the key is for.').meta({ examples: ['prometheus-blackbox'] }),
    scopes: z
      .array(scopeSchema)
      .min(1, 'Grant at least one scope.')
      .max(20)
      .describe('What the key may do; at most your own scopes.')
      .meta({ examples: [['heartbeats:write']] }),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the key stops working (ISO 8601); never when absent.'),
  })
  .describe('A key for a machine.');

export const apiKeyIdInput = z.object({ id: z.uuid().describe('API key id.') });

export const apiKeyOutput = z
  .object({
    id: z.uuid().describe('Also the `client_id` for the client-credentials grant.'),
    name: z.string(),
    prefix: z.string().describe('The visible start of the key, to recognise it.').meta({ examples: ['bst_3f9a1c0d2b7e'] }),
    ownerId: z.uuid(),
    scopes: z.array(scopeSchema),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().describe('Last use, to the minute.'),
    revokedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .describe('An API key; the secret is never shown again after creation.');

export const createdApiKeyOutput = apiKeyOutput
  .extend({
    secret: z.string().describe('The key: send it as `X-API-Key`, or as `client_secret` with `client_id` = id. Shown only now.'),
  })
  .describe('The new key with its secret, shown this once.');

export const apiKeyListOutput = z.object({ items: z.array(apiKeyOutput) }).describe('Newest first.');

export type ApiKey = z.infer<typeof apiKeyOutput>;
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;
