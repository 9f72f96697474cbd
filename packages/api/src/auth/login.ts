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
 * Unknown, disabled and known accounts cost the same argon2 verification and get the same answer.
 * Every check first takes one attempt from the account name + IP budget (see LoginThrottle), so
 * concurrent guesses cannot all slip in before the failures are counted; once the budget is spent
 * the pair is refused (even with the right password) until the window passes.
 */
export async function passwordLogin(
  deps: AuthDeps,
  credentials: { username: string; password: string; ip: string | undefined },
): Promise<PasswordLoginResult> {
  const throttleKey = LoginThrottle.key(credentials.username, credentials.ip);
  const decision = await deps.auth.loginThrottle.attempt(throttleKey);
  if (!decision.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  const email = credentials.username.trim().toLowerCase();
  const [user] = email ? await deps.db.select().from(schema.users).where(eq(schema.users.email, email)) : [];
  const candidate = user && !user.disabledAt ? user : null;
  const ok = await verifyPassword(candidate?.passwordHash ?? null, credentials.password);
  if (!ok || !candidate) return { ok: false, reason: 'invalid' };
  await deps.auth.loginThrottle.reset(throttleKey);
  return { ok: true, user: candidate };
}
