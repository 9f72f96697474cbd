import { randomBytes } from 'node:crypto';
import type { Database } from '@bastion/db';
import { coalescedByKeyFor, credentialsVersion, keptByKeyFor, preparedFor, schema } from '@bastion/db';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { verifyAccessToken, type AccessTokenClaims } from './access-tokens.js';
import type { ApiKeyPrincipal, UserPrincipal } from './principal.js';
import type { AuthRuntime } from './runtime.js';
import { ROLE_SCOPES, intersectScopes, isScope, type Role, type Scope } from './scopes.js';
import { digestsEqual, randomSecret, sha256 } from './secrets.js';

export interface AuthDeps {
  db: Database;
  now: () => Date;
  auth: AuthRuntime;
}

type UserRow = typeof schema.users.$inferSelect;
type ApiKeyRow = typeof schema.apiKeys.$inferSelect;

/** `bst_` + 12 hex characters of visible prefix + `_` + 256-bit secret (base64url). */
const API_KEY_PATTERN = /^(bst_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

/** A new API key: the full secret (shown once), its visible prefix, and the hash we store. */
export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = `bst_${randomBytes(6).toString('hex')}`;
  const key = `${prefix}_${randomSecret(32)}`;
  return { key, prefix, secretHash: sha256(key) };
}

export function userScopes(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

/** `credentialId` names what the user proved it with: the session (cookie) or the access token's `jti`. */
function userPrincipal(user: UserRow, scopes: readonly Scope[], via: UserPrincipal['via'], credentialId: string): UserPrincipal {
  return {
    kind: 'user',
    id: user.id,
    email: user.email,
    role: user.role,
    scopes,
    via,
    sessionId: via === 'session' ? credentialId : undefined,
    tokenId: via === 'token' ? credentialId : undefined,
  };
}

/** Only a key's own scopes that its owner's role still grants: demoting the owner narrows the key. */
function keyPrincipal(key: ApiKeyRow, owner: UserRow, scopes: readonly string[], via: ApiKeyPrincipal['via']): ApiKeyPrincipal {
  return {
    kind: 'apiKey',
    id: key.id,
    name: key.name,
    ownerId: owner.id,
    scopes: intersectScopes(scopes, userScopes(owner.role)),
    via,
  };
}

/**
 * Kept between the requests naming one key or user for as long as the credentials' version stands
 * (`credentialsVersion`: any write to `users` or `api_keys`, on any instance, moves it on), and
 * shared by those arriving at one moment. Heartbeats and every other write leave it kept, so a busy
 * monitor's requests do not re-read its key each time, yet a revocation, a disabled owner or a
 * changed role is seen by the next request. The result is shared: treat it as read-only.
 */
const keptCredentials = <T>(read: (db: Database, value: string) => Promise<T>) =>
  keptByKeyFor(coalescedByKeyFor(read), { key: (value) => value, maxKeys: 1024, validity: credentialsVersion });

const userById = keptCredentials((db, id) => db.select().from(schema.users).where(eq(schema.users.id, id)));

async function activeUser(db: Database, id: string): Promise<UserRow | null> {
  const [user] = await userById(db, id);
  return user && !user.disabledAt ? user : null;
}

/** A token from before the user's last password change is refused, but for the one that made it. */
function issuedSinceLastPasswordChange(claims: AccessTokenClaims, user: UserRow): boolean {
  return claims.generation >= user.accessTokenGeneration || claims.tokenId === user.keptAccessTokenId;
}

type KeyWithOwner = { key: ApiKeyRow; owner: UserRow };

/** A key with its owner, in one prepared query: this runs on every API-key request. */
const keyWithOwnerWhere = (column: typeof schema.apiKeys.prefix | typeof schema.apiKeys.id) =>
  preparedFor((db) =>
    db
      .select({ key: schema.apiKeys, owner: schema.users })
      .from(schema.apiKeys)
      .innerJoin(schema.users, eq(schema.users.id, schema.apiKeys.ownerId))
      .where(eq(column, sql.placeholder('value')))
      .prepare(`api_key_with_owner_by_${column.name}`),
  );
/**
 * Kept as `keptCredentials` says. Each request still checks its own presented secret against the
 * row, and expiry against its own clock.
 */
const sharedLookup = (query: ReturnType<typeof keyWithOwnerWhere>) => keptCredentials((db, value) => query(db).execute({ value }));
const keyWithOwnerByPrefix = sharedLookup(keyWithOwnerWhere(schema.apiKeys.prefix));
const keyWithOwnerById = sharedLookup(keyWithOwnerWhere(schema.apiKeys.id));

/** The key and owner when the key is neither revoked nor expired and its owner is not disabled. */
function usable(found: KeyWithOwner | undefined, now: Date): KeyWithOwner | null {
  if (!found) return null;
  const { key, owner } = found;
  return key.revokedAt || (key.expiresAt && key.expiresAt <= now) || owner.disabledAt ? null : found;
}

/**
 * The principal behind a bearer access token, or null. The user or key is looked up on every
 * request, so disabling a user or revoking a key takes effect at once, not at token expiry.
 */
export async function authenticateAccessToken(deps: AuthDeps, token: string): Promise<UserPrincipal | ApiKeyPrincipal | null> {
  const claims = await verifyAccessToken(deps.auth, token, deps.now());
  if (!claims) return null;
  if (claims.kind === 'user') {
    const user = await activeUser(deps.db, claims.id);
    if (!user || !issuedSinceLastPasswordChange(claims, user)) return null;
    return userPrincipal(user, intersectScopes(claims.scopes, userScopes(user.role)), 'token', claims.tokenId);
  }
  const [found] = await keyWithOwnerById(deps.db, claims.id);
  if (!found) await confirmDatabaseAnswers(deps.db);
  const usableKey = usable(found, deps.now());
  return usableKey
    ? keyPrincipal(usableKey.key, usableKey.owner, intersectScopes(claims.scopes, usableKey.key.scopes.filter(isScope)), 'token')
    : null;
}

/**
 * "No such key" is only said while the database answers: under a PostgreSQL shutdown a lookup was
 * seen to come back empty (the fault drill: 401s among the 503s), and a monitor told its key is
 * invalid may stop reporting. Throws the database's error otherwise (a 503 on both faces).
 */
async function confirmDatabaseAnswers(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

/** Looks a presented API key up by its prefix and compares hashes in constant time. */
export async function verifyApiKeySecret(db: Database, presented: string, now: Date): Promise<KeyWithOwner | null> {
  const match = API_KEY_PATTERN.exec(presented);
  if (!match?.[1]) return null;
  const [found] = await keyWithOwnerByPrefix(db, match[1]);
  if (!found) {
    await confirmDatabaseAnswers(db);
    return null;
  }
  if (!digestsEqual(found.key.secretHash, sha256(presented))) return null;
  return usable(found, now);
}

/** Last-used time is written at most once a minute per key, not on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

export async function touchApiKey(db: Database, key: ApiKeyRow, now: Date): Promise<void> {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_GRANULARITY_MS) return;
  await db.update(schema.apiKeys).set({ lastUsedAt: now }).where(eq(schema.apiKeys.id, key.id));
}

/** The principal behind an `X-API-Key` header, or null (unknown, wrong, revoked, expired, owner disabled). */
export async function authenticateApiKey(deps: Omit<AuthDeps, 'auth'>, presented: string): Promise<ApiKeyPrincipal | null> {
  const now = deps.now();
  const found = await verifyApiKeySecret(deps.db, presented, now);
  if (!found) return null;
  await touchApiKey(deps.db, found.key, now);
  return keyPrincipal(found.key, found.owner, found.key.scopes, 'apiKey');
}

// ── Dashboard sessions ────────────────────────────────────────────────────────────────────────

export interface IssuedSession {
  id: string;
  /** The cookie value; only its hash is stored. */
  token: string;
  /** The CSRF token the dashboard echoes in `X-CSRF-Token` on mutations; only its hash is stored. */
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(deps: AuthDeps, userId: string): Promise<IssuedSession> {
  const token = randomSecret(32);
  const csrfToken = randomSecret(32);
  const expiresAt = new Date(deps.now().getTime() + deps.auth.config.sessionTtlSeconds * 1000);
  const [row] = await deps.db
    .insert(schema.sessions)
    .values({ userId, tokenHash: sha256(token), csrfHash: sha256(csrfToken), expiresAt, createdAt: deps.now() })
    .returning({ id: schema.sessions.id });
  if (!row) throw new Error('session insert returned nothing');
  return { id: row.id, token, csrfToken, expiresAt };
}

/**
 * The user behind a session cookie, and whether the request proved it came from our own pages.
 * `csrfToken` is the `X-CSRF-Token` header (double submit, bound to the session).
 */
export async function authenticateSession(
  deps: Omit<AuthDeps, 'auth'>,
  token: string,
  csrfToken: string | undefined,
): Promise<{ principal: UserPrincipal; csrfValid: boolean } | null> {
  const now = deps.now();
  const [row] = await deps.db
    .select()
    .from(schema.sessions)
    .where(and(eq(schema.sessions.tokenHash, sha256(token)), isNull(schema.sessions.revokedAt), gt(schema.sessions.expiresAt, now)));
  if (!row) return null;
  const user = await activeUser(deps.db, row.userId);
  if (!user) return null;
  const csrfValid = csrfToken !== undefined && digestsEqual(row.csrfHash, sha256(csrfToken));
  return { principal: userPrincipal(user, userScopes(user.role), 'session', row.id), csrfValid };
}

export async function revokeSession(deps: Omit<AuthDeps, 'auth'>, sessionId: string): Promise<void> {
  await deps.db.update(schema.sessions).set({ revokedAt: deps.now() }).where(eq(schema.sessions.id, sessionId));
}

/** Ends every live session of a user but `keep` (the caller's own); answers how many ended. */
export async function revokeOtherSessions(deps: Omit<AuthDeps, 'auth'>, userId: string, keep: string | undefined): Promise<number> {
  const t = schema.sessions;
  const now = deps.now();
  const live = and(eq(t.userId, userId), isNull(t.revokedAt), gt(t.expiresAt, now));
  const ended = await deps.db
    .update(t)
    .set({ revokedAt: now })
    .where(keep ? and(live, ne(t.id, keep)) : live)
    .returning({ id: t.id });
  return ended.length;
}
