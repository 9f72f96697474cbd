import { z } from 'zod';
import { roleSchema, scopeSchema } from '../../auth/scopes.js';

export const loginInput = z
  .strictObject({
    email: z.string().trim().min(1).max(254).describe('The account’s email address.').meta({ examples: ['admin@bastion.local'] }),
    password: z.string().min(1).max(1024).describe('The account’s password.').meta({ examples: ['correct horse battery staple'] }),
  })
  .describe('Dashboard sign-in.');

export const principalOutput = z
  .object({
    kind: z.enum(['user', 'apiKey']).describe('A signed-in user, or a machine with an API key.'),
    id: z.uuid().describe('The user id or the API key id.'),
    label: z.string().describe('The user’s email, or the key’s name.'),
    role: roleSchema.nullable().describe('The user’s role; null for API keys.'),
    ownerId: z.uuid().nullable().describe('For an API key, the user who owns it.'),
    scopes: z.array(scopeSchema).describe('What this request may do.'),
    via: z.enum(['session', 'token', 'apiKey']).describe('How the caller authenticated.'),
  })
  .describe('The caller.');

export const loginOutput = z
  .object({
    principal: principalOutput,
    csrfToken: z
      .string()
      .describe('Send as `X-CSRF-Token` on every mutation made with the session cookie (also set as the readable `bastion_csrf` cookie).'),
    expiresAt: z.iso.datetime().describe('When the session ends; sign in again after.'),
  })
  .describe('The session is in the httpOnly `bastion_session` cookie; it is never in the body.');

export type PrincipalOutput = z.infer<typeof principalOutput>;
export type LoginInput = z.infer<typeof loginInput>;
