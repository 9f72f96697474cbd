import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { count } from 'drizzle-orm';
import { MIN_PASSWORD_LENGTH } from './password-policy.js';
import { hashPassword } from './passwords.js';
import { randomSecret } from './secrets.js';

export interface InitialAdmin {
  email: string;
  /** Set only when the password was generated: print it once, it is stored nowhere in clear. */
  generatedPassword: string | null;
}

/**
 * On a database without users, creates the first admin from the given email and password, or
 * with a generated password. Null when users exist already (nothing is changed).
 */
export async function ensureInitialAdmin(
  deps: { db: Database; now: () => Date },
  options: { email?: string | undefined; password?: string | undefined } = {},
): Promise<InitialAdmin | null> {
  const [existing] = await deps.db.select({ n: count() }).from(schema.users);
  if ((existing?.n ?? 0) > 0) return null;
  if (options.password !== undefined && options.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`BASTION_ADMIN_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const email = (options.email ?? 'admin@bastion.local').trim().toLowerCase();
  const generatedPassword = options.password === undefined ? randomSecret(18) : null;
  const now = deps.now();
  const inserted = await deps.db
    .insert(schema.users)
    .values({
      email,
      name: 'Administrator',
      role: 'admin',
      passwordHash: await hashPassword(options.password ?? generatedPassword ?? ''),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: schema.users.email })
    .returning({ id: schema.users.id });
  // Another instance won the race: it prints the password, not us.
  if (inserted.length === 0) return null;
  return { email, generatedPassword };
}
