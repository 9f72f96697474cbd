import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedTestUsers, type SeededUser } from '../testing/principals.js';
import { authenticateAccessToken, authenticateApiKey } from './credentials.js';
import { exchangeToken, type GrantResult, type TokenRequest } from './oauth.js';
import { createAuthRuntime, type AuthRuntime } from './runtime.js';
import { sha256 } from './secrets.js';
import type { Role } from './scopes.js';

let handle: DatabaseHandle;
let auth: AuthRuntime;
let users: Record<Role, SeededUser>;
let clock = new Date('2025-06-01T12:00:00Z');
let ip = '10.0.0.1';

const ctx = () => ({ db: handle.db, now: () => clock, auth, ip, requestId: 'req-test' });
const exchange = (request: TokenRequest) => exchangeToken(ctx(), request);

function body(result: GrantResult) {
  if (!result.ok) throw new Error(`${result.error.error}: ${result.error.error_description}`);
  return result.body;
}

async function auditRows(action: string) {
  return handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));
}

beforeAll(async () => {
  handle = await openTestDatabase();
  auth = await createAuthRuntime(handle.db, { loginThrottle: { attempts: 3, windowSeconds: 60 } });
  users = await seedTestUsers(handle.db);
});
afterAll(async () => {
  await handle.close();
});
beforeEach(() => {
  clock = new Date(clock.getTime() + 3600_000);
  ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
});

describe('password grant', () => {
  it('issues a bearer JWT and a refresh token with every scope of the role when none is asked', async () => {
    const tokens = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password }));
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'services:read incidents:read' });
    expect(tokens.refresh_token).toMatch(/^bst_rt_/);
    const [audit] = (await auditRows('auth.token.password')).filter((r) => r.target === users.viewer.email && r.result === 'success');
    expect(audit).toMatchObject({ actorKind: 'user', actorId: users.viewer.id, requestId: 'req-test' });
  });

  it('narrows to the scopes asked, and never grants more than the role has', async () => {
    const tokens = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password, scope: 'services:read users:manage' }));
    expect(tokens.scope).toBe('services:read');
    const principal = await authenticateAccessToken(ctx(), tokens.access_token);
    expect(principal?.scopes).toEqual(['services:read']);
  });

  it('refuses unknown scopes with invalid_scope', async () => {
    const result = await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password, scope: 'root' });
    expect(result).toMatchObject({ ok: false, error: { status: 400, error: 'invalid_scope' } });
  });

  it('answers a wrong password, an unknown account and a disabled account identically, and audits each', async () => {
    const wrong = await exchange({ grant_type: 'password', username: users.operator.email, password: 'nope-nope-nope' });
    const unknown = await exchange({ grant_type: 'password', username: 'nobody@bastion.test', password: 'nope-nope-nope' });
    expect(wrong).toEqual(unknown);
    expect(wrong).toEqual({ ok: false, error: { status: 400, error: 'invalid_grant', error_description: 'Invalid username or password.' } });
    const failures = (await auditRows('auth.token.password')).filter((r) => r.result === 'failure');
    expect(failures.map((r) => r.target)).toEqual(expect.arrayContaining([users.operator.email, 'nobody@bastion.test']));
    expect(JSON.stringify(failures)).not.toContain('nope-nope-nope');
  });

  it('locks an account+IP out after repeated failures (429 + Retry-After), even for the right password, known or not', async () => {
    for (const username of [users.operator.email, 'ghost@bastion.test']) {
      for (let i = 0; i < 3; i++) await exchange({ grant_type: 'password', username, password: 'wrong-password!' });
      const locked = await exchange({ grant_type: 'password', username, password: users.operator.password });
      expect(locked).toMatchObject({ ok: false, error: { status: 429, error: 'invalid_grant', headers: { 'retry-after': expect.stringMatching(/^\d+$/) as unknown } } });
    }
    // Another address is not locked out of the same account.
    ip = '192.0.2.77';
    body(await exchange({ grant_type: 'password', username: users.operator.email, password: users.operator.password }));
  });

  it('takes as long for an unknown account as for a known one (argon2 runs against a dummy hash)', async () => {
    const time = async (username: string) => {
      const start = performance.now();
      ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
      await exchange({ grant_type: 'password', username, password: 'wrong-password!' });
      return performance.now() - start;
    };
    await time(users.admin.email); // warm the dummy hash
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(users.admin.email));
      unknown.push(await time(`ghost${i}@bastion.test`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // argon2id at 19 MiB costs tens of ms; a skipped verification would cost ~1 ms.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.3);
    expect(median(unknown)).toBeLessThan(median(known) * 3);
  });
});

describe('refresh_token grant', () => {
  it('rotates on every use; reusing an old one revokes the whole family and is audited', async () => {
    const first = body(await exchange({ grant_type: 'password', username: users.operator.email, password: users.operator.password, scope: 'services:read services:write' }));
    const second = body(await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe('services:read services:write');
    const third = body(await exchange({ grant_type: 'refresh_token', refresh_token: second.refresh_token, scope: 'services:read' }));
    expect(third.scope).toBe('services:read');

    // The first token again: a thief (or a replay). The family dies, including the newest token.
    const reuse = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse).toMatchObject({ ok: false, error: { status: 400, error: 'invalid_grant' } });
    const afterReuse = await exchange({ grant_type: 'refresh_token', refresh_token: third.refresh_token });
    expect(afterReuse).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });

    const [reuseRow] = await auditRows('auth.token.refresh_reuse');
    expect(reuseRow).toMatchObject({ result: 'denied', actorId: users.operator.id });
    const refreshed = (await auditRows('auth.token.refresh')).filter((r) => r.result === 'success' && r.actorId === users.operator.id);
    expect(refreshed).toHaveLength(2);
  });

  it('cannot widen the scopes of the original grant', async () => {
    const first = body(await exchange({ grant_type: 'password', username: users.admin.email, password: users.admin.password, scope: 'services:read' }));
    const wider = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'services:read users:manage' });
    expect(wider).toMatchObject({ ok: false, error: { error: 'invalid_scope' } });
    // The refused request did not spend the token: the retry is a normal refresh, not a reuse.
    const retry = body(await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    expect(retry.scope).toBe('services:read');
    expect(body(await exchange({ grant_type: 'refresh_token', refresh_token: retry.refresh_token })).scope).toBe('services:read');
    const [row] = await handle.db.select().from(schema.refreshTokens).where(eq(schema.refreshTokens.tokenHash, sha256(first.refresh_token ?? '')));
    const reuse = (await auditRows('auth.token.refresh_reuse')).filter((r) => r.target === row?.familyId);
    expect(reuse).toEqual([]);
  });

  it('marks the token used and stores its successor in one transaction: a failed store leaves it usable', async () => {
    const first = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password }));
    await handle.db.execute(sql`
      create function refuse_refresh_insert() returns trigger language plpgsql as $$
      begin raise exception 'refresh token store down'; end $$`);
    await handle.db.execute(sql`create trigger refuse_refresh_insert before insert on refresh_tokens for each row execute function refuse_refresh_insert()`);
    try {
      await expect(exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).rejects.toThrow();
    } finally {
      await handle.db.execute(sql`drop trigger refuse_refresh_insert on refresh_tokens`);
      await handle.db.execute(sql`drop function refuse_refresh_insert()`);
    }
    const [row] = await handle.db.select().from(schema.refreshTokens).where(eq(schema.refreshTokens.tokenHash, sha256(first.refresh_token ?? '')));
    expect(row).toMatchObject({ usedAt: null, revokedAt: null });
    expect(body(await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).refresh_token).toMatch(/^bst_rt_/);
  });

  it('expires, and stops for a disabled user', async () => {
    const first = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password }));
    const later = clock;
    clock = new Date(later.getTime() + 8 * 24 * 3600_000);
    expect(await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
    const second = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password }));
    await handle.db.update(schema.users).set({ disabledAt: clock }).where(eq(schema.users.id, users.viewer.id));
    expect(await exchange({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
    await handle.db.update(schema.users).set({ disabledAt: null }).where(eq(schema.users.id, users.viewer.id));
  });

  it('is stored hashed only', async () => {
    const tokens = body(await exchange({ grant_type: 'password', username: users.viewer.email, password: users.viewer.password }));
    const rows = await handle.db.select().from(schema.refreshTokens);
    expect(JSON.stringify(rows)).not.toContain(tokens.refresh_token);
  });
});

describe('client_credentials grant', () => {
  it('exchanges an API key id and secret for an access token carrying the key’s scopes', async () => {
    const tokens = body(await exchange({ grant_type: 'client_credentials', client_id: users.operator.apiKeyId, client_secret: users.operator.apiKey }));
    expect(tokens.refresh_token).toBeUndefined();
    const principal = await authenticateAccessToken(ctx(), tokens.access_token);
    expect(principal).toMatchObject({ kind: 'apiKey', id: users.operator.apiKeyId, ownerId: users.operator.id });
    expect(principal?.scopes).toContain('heartbeats:write');
    expect(principal?.scopes).not.toContain('users:manage');
  });

  it('refuses a wrong secret or a mismatched id with 401 invalid_client', async () => {
    const wrong = await exchange({ grant_type: 'client_credentials', client_id: users.operator.apiKeyId, client_secret: users.admin.apiKey });
    expect(wrong).toMatchObject({ ok: false, error: { status: 401, error: 'invalid_client' } });
  });

  it('a revoked key is refused at the token endpoint and on the next request, and so are its tokens', async () => {
    const tokens = body(await exchange({ grant_type: 'client_credentials', client_id: users.viewer.apiKeyId, client_secret: users.viewer.apiKey }));
    await handle.db.update(schema.apiKeys).set({ revokedAt: clock }).where(and(eq(schema.apiKeys.id, users.viewer.apiKeyId)));
    await expect(authenticateApiKey(ctx(), users.viewer.apiKey)).resolves.toBeNull();
    await expect(authenticateAccessToken(ctx(), tokens.access_token)).resolves.toBeNull();
    expect(await exchange({ grant_type: 'client_credentials', client_id: users.viewer.apiKeyId, client_secret: users.viewer.apiKey })).toMatchObject({
      ok: false,
      error: { error: 'invalid_client' },
    });
  });
});

describe('malformed requests', () => {
  it('answer RFC 6749 errors', async () => {
    expect(await exchange({})).toMatchObject({ ok: false, error: { status: 400, error: 'invalid_request' } });
    expect(await exchange({ grant_type: 'authorization_code' })).toMatchObject({ ok: false, error: { error: 'unsupported_grant_type' } });
    expect(await exchange({ grant_type: 'password', username: 'x' })).toMatchObject({ ok: false, error: { error: 'invalid_request' } });
    expect(await exchange({ grant_type: 'refresh_token', refresh_token: 'bst_rt_forged' })).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
  });
});

describe('an API-key lookup that finds nothing', () => {
  const unknownKey = `bst_${'0'.repeat(12)}_${'A'.repeat(43)}`;

  it('says "no such key" only while the database answers; otherwise it fails with the database error (a 503)', async () => {
    await expect(authenticateApiKey(ctx(), unknownKey)).resolves.toBeNull();
    // The lookup itself still answers (empty), but the database does not answer the confirmation,
    // as when PostgreSQL goes down between the two.
    const down = Object.assign(new Error('connection closed'), { code: 'CONNECTION_CLOSED' });
    const isConfirmation = (query: SQL) => new PgDialect().sqlToQuery(query).sql === 'select 1';
    const failingConfirmation = new Proxy(handle.db, {
      get: (target, property, receiver): unknown =>
        property === 'execute' ? (query: SQL) => (isConfirmation(query) ? Promise.reject(down) : target.execute(query)) : Reflect.get(target, property, receiver),
    });
    await expect(authenticateApiKey({ db: failingConfirmation, now: () => clock }, unknownKey)).rejects.toBe(down);
    // A known key never needs the confirmation.
    await expect(authenticateApiKey({ db: failingConfirmation, now: () => clock }, users.operator.apiKey)).resolves.toMatchObject({ kind: 'apiKey' });
  });
});
