import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSession } from '../../auth/credentials.js';
import { passwordLogin } from '../../auth/login.js';
import { exchangeToken } from '../../auth/oauth.js';
import type { Principal, UserPrincipal } from '../../auth/principal.js';
import { createAuthRuntime, type AuthRuntime } from '../../auth/runtime.js';
import { expectTRPCError, pointersOf, problemOf } from '../../testing/harness.js';
import { apiKeyPrincipal, principalOf, seedTestUsers, TEST_PASSWORD, type SeededUser } from '../../testing/principals.js';
import { appRouter } from '../../root.js';
import { createCallerFactory } from '../../trpc.js';

const NEW_PASSWORD = 'a-fresh-passphrase-of-mine';
const THROTTLE_ATTEMPTS = 3;

let handle: DatabaseHandle;
let auth: AuthRuntime;
let clock = new Date('2025-06-01T12:00:00Z');
let ip = '10.0.0.1';
let testNumber = 0;
/** A user of its own per test: changing a password must not leak between tests. */
let user: SeededUser;

const deps = () => ({ db: handle.db, now: () => clock, auth });
const caller = (principal: Principal) =>
  createCallerFactory(appRouter)({ ...deps(), principal, ip, requestId: `req-${testNumber}` });

/** The user signed in to the dashboard: a session principal, as the server resolves it. */
async function signedIn(target: SeededUser): Promise<UserPrincipal> {
  const session = await createSession(deps(), target.id);
  return { ...principalOf(target), via: 'session', sessionId: session.id };
}

async function liveSessions(userId: string) {
  return (await handle.db.select().from(schema.sessions).where(eq(schema.sessions.userId, userId))).filter((s) => s.revokedAt === null);
}

async function auditRows(userId: string) {
  return handle.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, 'auth.changePassword'), eq(schema.auditLog.target, userId)));
}

const login = (password: string) => passwordLogin(deps(), { username: user.email, password, ip });

beforeAll(async () => {
  handle = await openTestDatabase();
  auth = await createAuthRuntime(handle.db, { loginThrottle: { attempts: THROTTLE_ATTEMPTS, windowSeconds: 60 } });
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  testNumber++;
  clock = new Date(clock.getTime() + 3600_000);
  ip = `10.1.${testNumber}.1`;
  ({ operator: user } = await seedTestUsers(handle.db, { prefix: `t${testNumber}-` }));
});

describe('auth.changePassword', () => {
  it('replaces the password: the old one is refused at sign-in, the new one accepted', async () => {
    const principal = await signedIn(user);
    const result = await caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(result.changedAt).toBe(clock.toISOString());
    expect(await login(TEST_PASSWORD)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await login(NEW_PASSWORD)).toMatchObject({ ok: true });
    const [row] = await handle.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('ends every other session and every refresh-token family; the calling session stays', async () => {
    const principal = await signedIn(user);
    const other = await signedIn(user);
    const tokens = await exchangeToken({ ...deps(), ip }, { grant_type: 'password', username: user.email, password: TEST_PASSWORD });
    if (!tokens.ok) throw new Error(tokens.error.error_description);
    // A second family, rotated once: still one usable family.
    const second = await exchangeToken({ ...deps(), ip }, { grant_type: 'password', username: user.email, password: TEST_PASSWORD });
    if (!second.ok) throw new Error(second.error.error_description);
    const rotated = await exchangeToken({ ...deps(), ip }, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(rotated.ok).toBe(true);

    const result = await caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(result).toMatchObject({ endedSessions: 1, revokedTokenFamilies: 2 });
    expect((await liveSessions(user.id)).map((s) => s.id)).toEqual([principal.sessionId]);
    expect((await liveSessions(user.id)).map((s) => s.id)).not.toContain(other.sessionId);
    const refresh = await exchangeToken({ ...deps(), ip }, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refresh).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
  });

  it('called with a bearer token (no session), ends every session of the account', async () => {
    await signedIn(user);
    await signedIn(user);
    const result = await caller(principalOf(user)).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(result.endedSessions).toBe(2);
    expect(await liveSessions(user.id)).toEqual([]);
  });

  it('audits the change without any password in the row', async () => {
    const principal = await signedIn(user);
    await caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    const [row] = await auditRows(user.id);
    expect(row).toMatchObject({ actorKind: 'user', actorId: user.id, result: 'success', ip, requestId: `req-${testNumber}` });
    expect(row?.detail).toMatchObject({ endedSessions: 0, revokedTokenFamilies: 0, via: 'session' });
    expect(JSON.stringify(row)).not.toContain(TEST_PASSWORD);
    expect(JSON.stringify(row)).not.toContain(NEW_PASSWORD);
  });

  it('a wrong current password is a validation problem on /currentPassword, changes nothing, and is audited', async () => {
    const principal = await signedIn(user);
    const other = await signedIn(user);
    const error = await expectTRPCError(
      caller(principal).auth.changePassword({ currentPassword: 'not-my-password', newPassword: NEW_PASSWORD }),
      'UNPROCESSABLE_CONTENT',
    );
    expect(problemOf(error).type).toBe('validation-error');
    expect(problemOf(error).errors).toEqual([{ pointer: '/currentPassword', detail: 'The current password is not correct.' }]);
    expect(await login(TEST_PASSWORD)).toMatchObject({ ok: true });
    expect((await liveSessions(user.id)).map((s) => s.id).sort()).toEqual([principal.sessionId, other.sessionId].sort());
    const [row] = await auditRows(user.id);
    expect(row).toMatchObject({ result: 'failure', detail: { reason: 'wrong-password', error: 'UNPROCESSABLE_CONTENT' } });
    expect(JSON.stringify(row)).not.toContain('not-my-password');
  });

  it('wrong current passwords count toward the sign-in throttle: then both sign-in and the change answer 429', async () => {
    const principal = await signedIn(user);
    for (let i = 0; i < THROTTLE_ATTEMPTS; i++) {
      await expectTRPCError(caller(principal).auth.changePassword({ currentPassword: `guess-${i}`, newPassword: NEW_PASSWORD }), 'UNPROCESSABLE_CONTENT');
    }
    // Locked out even with the right password, at sign-in from this address …
    expect(await login(TEST_PASSWORD)).toMatchObject({ ok: false, reason: 'throttled' });
    // … and here.
    const error = await expectTRPCError(caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }), 'TOO_MANY_REQUESTS');
    expect(problemOf(error).headers['retry-after']).toMatch(/^\d+$/);
    const rows = await auditRows(user.id);
    expect(rows.filter((r) => r.result === 'failure')).toHaveLength(THROTTLE_ATTEMPTS + 1);
    expect(rows.some((r) => (r.detail as { reason?: string } | null)?.reason === 'throttled')).toBe(true);
  });

  it('holds the new password to the password policy, and refuses it unchanged', async () => {
    const principal = await signedIn(user);
    const short = await expectTRPCError(caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'short' }), 'BAD_REQUEST');
    expect(pointersOf(short)).toEqual(['/newPassword']);
    const same = await expectTRPCError(caller(principal).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }), 'BAD_REQUEST');
    expect(pointersOf(same)).toEqual(['/newPassword']);
    expect(await login(TEST_PASSWORD)).toMatchObject({ ok: true });
  });

  it('refuses an API key, even one with every scope, and audits the refusal', async () => {
    const key = { ...apiKeyPrincipal(['services:read', 'keys:manage', 'users:manage']), ownerId: user.id };
    const error = await expectTRPCError(caller(key).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }), 'FORBIDDEN');
    expect(error.message).toContain('not an API key');
    expect(await login(TEST_PASSWORD)).toMatchObject({ ok: true });
    const [row] = await handle.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, 'auth.changePassword'), eq(schema.auditLog.requestId, `req-${testNumber}`)));
    expect(row).toMatchObject({ actorKind: 'apiKey', result: 'denied' });
  });
});
