import { randomUUID } from 'node:crypto';
import { schema, type Database } from '@bastion/db';
import { and, eq, isNull } from 'drizzle-orm';
import { writeAudit, type AuditEvent } from '../modules/audit/audit.service.js';
import { signAccessToken } from './access-tokens.js';
import { touchApiKey, userScopes, verifyApiKeySecret, type AuthDeps } from './credentials.js';
import { passwordLogin } from './login.js';
import { ANONYMOUS, type ApiKeyPrincipal, type Principal, type UserPrincipal } from './principal.js';
import { ALL_SCOPES, intersectScopes, isScope, type Scope } from './scopes.js';
import { randomSecret, sha256 } from './secrets.js';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** RFC 6749 §5.2 error response, with the HTTP status and headers it goes out with. */
export interface OAuthError {
  status: 400 | 401 | 429;
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';
  error_description: string;
  headers?: Record<string, string>;
}

export type GrantResult = { ok: true; body: TokenResponse } | { ok: false; error: OAuthError };

export interface TokenRequestContext extends AuthDeps {
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** The form fields of a token request (`application/x-www-form-urlencoded`) plus HTTP Basic client credentials. */
export interface TokenRequest {
  grant_type?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  scope?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  refresh_token?: string | undefined;
}

const fail = (status: OAuthError['status'], error: OAuthError['error'], description: string, headers?: Record<string, string>): GrantResult => ({
  ok: false,
  error: { status, error, error_description: description, ...(headers ? { headers } : {}) },
});

/** Same answer for an unknown account, a wrong password and a disabled account. */
const BAD_CREDENTIALS = 'Invalid username or password.';

/** `scope` as a list: null when it names a scope we do not have (invalid_scope). */
function parseScope(scope: string | undefined): string[] | null {
  const requested = (scope ?? '').split(' ').filter(Boolean);
  return requested.every(isScope) ? requested : null;
}

/** Requested ∩ allowed; everything allowed when nothing was requested (RFC 6749 §3.3 lets us narrow). */
function grantScopes(requested: string[], allowed: readonly Scope[]): Scope[] {
  return requested.length === 0 ? ALL_SCOPES.filter((s) => allowed.includes(s)) : intersectScopes(requested, allowed);
}

/**
 * The OAuth2 token endpoint's logic (RFC 6749): `password`, `client_credentials` (an API key's id
 * and secret) and `refresh_token` grants. Access tokens are short-lived JWTs; refresh tokens are
 * opaque, stored hashed, rotated on every use, and a reused one revokes its whole family. Every
 * outcome is written to the audit log.
 */
export async function exchangeToken(ctx: TokenRequestContext, request: TokenRequest): Promise<GrantResult> {
  switch (request.grant_type) {
    case 'password':
      return passwordGrant(ctx, request);
    case 'client_credentials':
      return clientCredentialsGrant(ctx, request);
    case 'refresh_token':
      return refreshGrant(ctx, request);
    case undefined:
    case '':
      return fail(400, 'invalid_request', 'grant_type is required.');
    default:
      return fail(400, 'unsupported_grant_type', 'Use grant_type password, client_credentials or refresh_token.');
  }
}

function audit(ctx: TokenRequestContext, event: Omit<AuditEvent, 'requestId' | 'ip'>) {
  return writeAudit(ctx, { ...event, requestId: ctx.requestId, ip: ctx.ip });
}

async function passwordGrant(ctx: TokenRequestContext, request: TokenRequest): Promise<GrantResult> {
  const { username, password } = request;
  if (!username || !password) return fail(400, 'invalid_request', 'username and password are required.');
  const requested = parseScope(request.scope);
  if (!requested) return fail(400, 'invalid_scope', `Unknown scope; known scopes: ${ALL_SCOPES.join(' ')}.`);
  const login = await passwordLogin(ctx, { username, password, ip: ctx.ip });
  if (!login.ok) {
    await audit(ctx, {
      actor: ANONYMOUS,
      action: 'auth.token.password',
      target: username.trim().toLowerCase().slice(0, 200),
      result: 'failure',
      detail: { reason: login.reason },
    });
    if (login.reason === 'throttled') {
      return {
        ok: false,
        error: {
          status: 429,
          error: 'invalid_grant',
          error_description: `Too many failed attempts; retry in ${login.retryAfterSeconds} s.`,
          headers: { 'retry-after': String(login.retryAfterSeconds) },
        },
      };
    }
    return fail(400, 'invalid_grant', BAD_CREDENTIALS);
  }
  const { user } = login;
  const scopes = grantScopes(requested, userScopes(user.role));
  const principal: UserPrincipal = { kind: 'user', id: user.id, email: user.email, role: user.role, scopes, via: 'token' };
  const familyId = randomUUID();
  const body = await issueUserTokens(ctx, principal, user.accessTokenGeneration, familyId);
  await audit(ctx, { actor: principal, action: 'auth.token.password', target: user.email, result: 'success', detail: { scopes } });
  return { ok: true, body };
}

async function issueUserTokens(ctx: TokenRequestContext, user: UserPrincipal, generation: number, familyId: string): Promise<TokenResponse> {
  const access = await signAccessToken(ctx.auth, { kind: 'user', id: user.id, generation }, user.scopes, ctx.now());
  const refreshToken = await storeRefreshToken(ctx.db, ctx, user, familyId);
  return tokenResponse(access, refreshToken, user.scopes);
}

function tokenResponse(access: { token: string; expiresIn: number }, refreshToken: string, scopes: readonly Scope[]): TokenResponse {
  return { access_token: access.token, token_type: 'bearer', expires_in: access.expiresIn, refresh_token: refreshToken, scope: scopes.join(' ') };
}

/** Stores a new refresh token of `familyId` (hashed) and returns it; `db` may be a transaction. */
async function storeRefreshToken(db: Database, ctx: TokenRequestContext, user: UserPrincipal, familyId: string): Promise<string> {
  const now = ctx.now();
  const refreshToken = `bst_rt_${randomSecret(32)}`;
  await db.insert(schema.refreshTokens).values({
    familyId,
    userId: user.id,
    tokenHash: sha256(refreshToken),
    scopes: [...user.scopes],
    expiresAt: new Date(now.getTime() + ctx.auth.config.refreshTokenTtlSeconds * 1000),
    createdAt: now,
  });
  return refreshToken;
}

async function clientCredentialsGrant(ctx: TokenRequestContext, request: TokenRequest): Promise<GrantResult> {
  const { client_id: clientId, client_secret: clientSecret } = request;
  if (!clientId || !clientSecret) return fail(400, 'invalid_request', 'client_id and client_secret are required.');
  const requested = parseScope(request.scope);
  if (!requested) return fail(400, 'invalid_scope', `Unknown scope; known scopes: ${ALL_SCOPES.join(' ')}.`);
  const now = ctx.now();
  const found = await verifyApiKeySecret(ctx.db, clientSecret, now);
  if (found?.key.id !== clientId) {
    await audit(ctx, { actor: ANONYMOUS, action: 'auth.token.client_credentials', target: clientId.slice(0, 200), result: 'failure' });
    return fail(401, 'invalid_client', 'Unknown client or wrong secret.', { 'www-authenticate': 'Basic realm="bastion"' });
  }
  await touchApiKey(ctx.db, found.key, now);
  const allowed = intersectScopes(found.key.scopes, userScopes(found.owner.role));
  const scopes = grantScopes(requested, allowed);
  const principal: ApiKeyPrincipal = { kind: 'apiKey', id: found.key.id, name: found.key.name, ownerId: found.owner.id, scopes, via: 'token' };
  const { token, expiresIn } = await signAccessToken(ctx.auth, { kind: 'apiKey', id: found.key.id }, scopes, now);
  await audit(ctx, { actor: principal, action: 'auth.token.client_credentials', target: found.key.id, result: 'success', detail: { scopes } });
  // RFC 6749 §4.4.3: no refresh token for client credentials; the client simply asks again.
  return { ok: true, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: scopes.join(' ') } };
}

async function refreshGrant(ctx: TokenRequestContext, request: TokenRequest): Promise<GrantResult> {
  const presented = request.refresh_token;
  if (!presented) return fail(400, 'invalid_request', 'refresh_token is required.');
  const requested = parseScope(request.scope);
  if (!requested) return fail(400, 'invalid_scope', `Unknown scope; known scopes: ${ALL_SCOPES.join(' ')}.`);
  const now = ctx.now();
  const t = schema.refreshTokens;
  const [row] = await ctx.db.select().from(t).where(eq(t.tokenHash, sha256(presented)));
  const invalid = fail(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
  if (!row) {
    await audit(ctx, { actor: ANONYMOUS, action: 'auth.token.refresh', result: 'failure', detail: { reason: 'unknown' } });
    return invalid;
  }
  const [user] = await ctx.db.select().from(schema.users).where(eq(schema.users.id, row.userId));
  const owner: Principal = user
    ? { kind: 'user', id: user.id, email: user.email, role: user.role, scopes: [], via: 'token' }
    : ANONYMOUS;
  const live = !row.usedAt && !row.revokedAt && row.expiresAt > now;
  if (!live) {
    if (row.usedAt) {
      await ctx.db.update(t).set({ revokedAt: now }).where(and(eq(t.familyId, row.familyId), isNull(t.revokedAt)));
      await audit(ctx, { actor: owner, action: 'auth.token.refresh_reuse', target: row.familyId, result: 'denied', detail: { familyRevoked: true } });
    } else {
      await audit(ctx, { actor: owner, action: 'auth.token.refresh', target: row.familyId, result: 'failure', detail: { reason: row.revokedAt ? 'revoked' : 'expired' } });
    }
    return invalid;
  }
  if (!user || user.disabledAt) {
    await audit(ctx, { actor: owner, action: 'auth.token.refresh', target: row.familyId, result: 'failure', detail: { reason: 'user disabled' } });
    return invalid;
  }
  // Before the claim: a refused request must leave the token usable, or the client's retry would
  // look like reuse and revoke the family.
  const original = row.scopes.filter(isScope);
  if (requested.some((s) => !original.includes(s as Scope))) {
    return fail(400, 'invalid_scope', 'A refresh can only keep or narrow the scopes originally granted.');
  }
  const scopes = intersectScopes(requested.length > 0 ? requested : original, userScopes(user.role));
  const principal: UserPrincipal = { kind: 'user', id: user.id, email: user.email, role: user.role, scopes, via: 'token' };
  // Signed first (it may load the signing key): nothing but the two writes below runs inside the transaction.
  const access = await signAccessToken(ctx.auth, { kind: 'user', id: user.id, generation: user.accessTokenGeneration }, scopes, now);
  // Claim and successor in one transaction: a failed insert leaves the presented token unused.
  const refreshToken = await ctx.db.transaction(async (tx) => {
    // Only one exchange can win the claim, so a racing second use is treated as reuse.
    const claimed = await tx.update(t).set({ usedAt: now }).where(and(eq(t.id, row.id), isNull(t.usedAt), isNull(t.revokedAt))).returning({ id: t.id });
    return claimed.length === 0 ? null : storeRefreshToken(tx, ctx, principal, row.familyId);
  });
  if (refreshToken === null) {
    await ctx.db.update(t).set({ revokedAt: now }).where(and(eq(t.familyId, row.familyId), isNull(t.revokedAt)));
    await audit(ctx, { actor: owner, action: 'auth.token.refresh_reuse', target: row.familyId, result: 'denied', detail: { familyRevoked: true } });
    return invalid;
  }
  await audit(ctx, { actor: principal, action: 'auth.token.refresh', target: row.familyId, result: 'success' });
  return { ok: true, body: tokenResponse(access, refreshToken, scopes) };
}

/**
 * Revokes every refresh token of a user not revoked yet (disable, password change), and answers
 * how many families were still usable: those whose newest token was unused and unexpired.
 */
export async function revokeUserRefreshTokens(ctx: Pick<AuthDeps, 'db' | 'now'>, userId: string): Promise<number> {
  const t = schema.refreshTokens;
  const now = ctx.now();
  const revoked = await ctx.db
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.userId, userId), isNull(t.revokedAt)))
    .returning({ familyId: t.familyId, usedAt: t.usedAt, expiresAt: t.expiresAt });
  return new Set(revoked.filter((row) => !row.usedAt && row.expiresAt > now).map((row) => row.familyId)).size;
}
