import { schema } from '@bastion/db';
import { eq } from 'drizzle-orm';
import type { AuthDeps } from './credentials.js';
import { verifyPassword } from './passwords.js';
import { LoginThrottle } from './throttle.js';

type UserRow = typeof schema.users.$inferSelect;

export type PasswordLoginResult =
  | { ok: true; user: UserRow }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Checks an account name and password, for the dashboard login and the OAuth2 password grant alike.
 * Unknown, disabled and known accounts cost the same argon2 verification and get the same answer;
 * failures count against the account name and IP, and a locked-out pair is refused (even with the
 * right password) until the window passes.
 */
export async function passwordLogin(
  deps: AuthDeps,
  credentials: { username: string; password: string; ip: string | undefined },
): Promise<PasswordLoginResult> {
  const throttleKey = LoginThrottle.key(credentials.username, credentials.ip);
  const wait = await deps.auth.loginThrottle.retryAfter(throttleKey);
  if (wait !== null) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
  const email = credentials.username.trim().toLowerCase();
  const [user] = email ? await deps.db.select().from(schema.users).where(eq(schema.users.email, email)) : [];
  const candidate = user && !user.disabledAt ? user : null;
  const ok = await verifyPassword(candidate?.passwordHash ?? null, credentials.password);
  if (!ok || !candidate) {
    await deps.auth.loginThrottle.recordFailure(throttleKey);
    return { ok: false, reason: 'invalid' };
  }
  await deps.auth.loginThrottle.reset(throttleKey);
  return { ok: true, user: candidate };
}
