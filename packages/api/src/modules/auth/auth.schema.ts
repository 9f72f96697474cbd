import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../auth/password-policy.js';
import { roleSchema, scopeSchema } from '../../auth/scope-schemas.js';
import { passwordSchema } from '../users/users.schema.js';

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

export const changePasswordInput = z
  .strictObject({
    currentPassword: z
      .string()
      .min(1, 'Enter your current password.')
      .max(1024)
      .describe('The password the account has now.')
      .meta({ examples: ['correct horse battery staple'] }),
    newPassword: passwordSchema.describe(`The new password: at least ${MIN_PASSWORD_LENGTH} characters; long passphrases welcome.`).meta({
      examples: ['a longer passphrase of my own'],
    }),
  })
  .refine((input) => input.newPassword !== input.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from the current one.',
  })
  .describe('Your current password and the new one.');

export const changePasswordOutput = z
  .object({
    changedAt: z.iso.datetime().describe('When the password changed.'),
    endedSessions: z.number().int().describe('Your other dashboard sessions that were signed out (this one stays).').meta({ examples: [1] }),
    revokedTokenFamilies: z
      .number()
      .int()
      .describe('Refresh-token families revoked: every client that signed in with the old password must sign in again.')
      .meta({ examples: [2] }),
  })
  .describe('The password is changed; everywhere else you were signed in has been signed out.');

export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
export type ChangePasswordOutput = z.infer<typeof changePasswordOutput>;
