import { schema } from '@bastion/db';
import { eq, sql } from 'drizzle-orm';
import { revokeOtherSessions, type AuthDeps } from '../../auth/credentials.js';
import { revokeUserRefreshTokens } from '../../auth/oauth.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import type { UserPrincipal } from '../../auth/principal.js';
import { LoginThrottle } from '../../auth/throttle.js';
import { invalidInput, tooManyRequests } from '../../common/errors.js';
import type { AuditNote } from '../../trpc.js';
import type { ChangePasswordInput, ChangePasswordOutput } from './auth.schema.js';

const WRONG_CURRENT_PASSWORD = 'The current password is not correct.';

/**
 * Changes the signed-in user's password. Every attempt counts toward the sign-in throttle of this
 * account and address, and a success resets it (else a stolen session could guess the password
 * without limit); a locked-out pair is refused until the window passes. On success the user is signed
 * out everywhere else: every other session and every refresh-token family end in the same
 * transaction as the new hash; access tokens already issued live out their 15 minutes at most.
 */
export async function changePassword(
  deps: AuthDeps,
  caller: { user: UserPrincipal; ip: string | undefined },
  input: ChangePasswordInput,
  audit: AuditNote,
): Promise<ChangePasswordOutput> {
  const { user } = caller;
  audit.target = user.id;
  const throttleKey = LoginThrottle.key(user.email, caller.ip);
  // Counted before the password check, like a sign-in: a burst of guesses cannot outrun the count.
  const decision = await deps.auth.loginThrottle.attempt(throttleKey);
  if (!decision.allowed) {
    audit.detail = { reason: 'throttled' };
    throw tooManyRequests(`Too many wrong passwords; retry in ${decision.retryAfterSeconds} s.`, decision.retryAfterSeconds);
  }
  const [row] = await deps.db.select({ passwordHash: schema.users.passwordHash }).from(schema.users).where(eq(schema.users.id, user.id));
  if (!(await verifyPassword(row?.passwordHash ?? null, input.currentPassword))) {
    audit.detail = { reason: 'wrong-password' };
    throw invalidInput(WRONG_CURRENT_PASSWORD, [{ pointer: '/currentPassword', detail: WRONG_CURRENT_PASSWORD }]);
  }
  await deps.auth.loginThrottle.reset(throttleKey);
  const passwordHash = await hashPassword(input.newPassword);
  const changedAt = deps.now();
  const ended = await deps.db.transaction(async (tx) => {
    // Every access token issued so far is refused from now on, but for the one making this call.
    await tx
      .update(schema.users)
      .set({
        passwordHash,
        updatedAt: changedAt,
        accessTokenGeneration: sql`${schema.users.accessTokenGeneration} + 1`,
        keptAccessTokenId: user.via === 'token' ? (user.tokenId ?? null) : null,
      })
      .where(eq(schema.users.id, user.id));
    const txDeps = { db: tx, now: deps.now };
    return {
      endedSessions: await revokeOtherSessions(txDeps, user.id, user.sessionId),
      revokedTokenFamilies: await revokeUserRefreshTokens(txDeps, user.id),
    };
  });
  audit.detail = { ...ended, via: user.via };
  return { changedAt: changedAt.toISOString(), ...ended };
}
