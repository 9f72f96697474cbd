import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../auth/password-policy.js';
import { roleSchema } from '../../auth/scope-schemas.js';

const email = z
  .email()
  .max(254)
  .transform((v) => v.toLowerCase())
  .describe('Login name; stored lower-cased.')
  .meta({ examples: ['ada@example.com'] });

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024)
  .describe(`At least ${MIN_PASSWORD_LENGTH} characters; long passphrases welcome.`);

export const createUserInput = z
  .strictObject({
    email,
    name: z.string().trim().max(120).default('').describe('Display name.').meta({ examples: ['Ada Lovelace'] }),
    role: roleSchema,
    password: passwordSchema.optional().describe('Initial password; when absent one is generated and returned once.'),
  })
  .describe('A user to invite.');

export const updateUserInput = z
  .strictObject({
    id: z.uuid().describe('User id.'),
    name: z.string().trim().max(120).optional(),
    role: roleSchema.optional().describe('New role; takes effect on the user’s next request.'),
    disabled: z.boolean().optional().describe('true disables the account: its sessions, tokens and keys stop working at once.'),
  })
  .describe('Fields to change; absent fields keep their value.');

export const userOutput = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe('A user. Password hashes never leave the server.');

export const createdUserOutput = userOutput
  .extend({
    temporaryPassword: z.string().nullable().describe('The generated password, shown this once; null when one was given.'),
  })
  .describe('The invited user.');

export const userListOutput = z.object({ items: z.array(userOutput) });

export type User = z.infer<typeof userOutput>;
export type CreateUserInput = z.infer<typeof createUserInput>;
export type UpdateUserInput = z.infer<typeof updateUserInput>;
