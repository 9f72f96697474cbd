import { z } from 'zod';
import { ANONYMOUS } from '../../auth/principal.js';
import { createTRPCRouter, procedure } from '../../trpc.js';
import { apiKeyIdInput, apiKeyListOutput, createApiKeyInput, createdApiKeyOutput } from './api-keys.schema.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';

const tags = ['api-keys'];

export const apiKeysRouter = createTRPCRouter({
  create: procedure
    .meta({
      openapi: { method: 'POST', path: '/api-keys', tags, summary: 'Create an API key (the secret is shown once)' },
      scopes: ['keys:manage'],
      successStatus: 201,
      // The key's secret is in the answer: it is never stored for a replay.
      idempotencyKeys: false,
    })
    .input(createApiKeyInput)
    .output(createdApiKeyOutput)
    .mutation(async ({ ctx, input }) => {
      const key = await createApiKey(ctx, ctx.principal ?? ANONYMOUS, input);
      ctx.audit.target = key.id;
      ctx.audit.detail = { name: key.name, prefix: key.prefix, scopes: key.scopes };
      return key;
    }),

  list: procedure
    .meta({ openapi: { method: 'GET', path: '/api-keys', tags, summary: 'List API keys (yours; every key for admins)' }, scopes: ['keys:manage'] })
    .input(z.void())
    .output(apiKeyListOutput)
    .query(({ ctx }) => listApiKeys(ctx, ctx.principal ?? ANONYMOUS)),

  delete: procedure
    .meta({
      openapi: { method: 'DELETE', path: '/api-keys/{id}', tags, summary: 'Revoke an API key' },
      scopes: ['keys:manage'],
      successStatus: 204,
    })
    .input(apiKeyIdInput)
    .output(z.void())
    .mutation(({ ctx, input }) => revokeApiKey(ctx, ctx.principal ?? ANONYMOUS, input.id)),
});
