import type { Database } from '@bastion/db';
import { eq } from 'drizzle-orm';
import { schema } from '@bastion/db';
import type { ApiKeyPrincipal, Principal, UserPrincipal } from '../auth/principal.js';
import { generateApiKey } from '../auth/credentials.js';
import { hashPassword } from '../auth/passwords.js';
import { ROLE_SCOPES, type Role, type Scope } from '../auth/scopes.js';
import type { Context } from '../trpc.js';

/**
 * Principals for in-process tests (`createCallerFactory`), which skip the server's credential
 * resolution: the procedures' access check and audit run exactly as in production.
 *
 * @example
 * const caller = createCaller(asAdmin({ db, now }));
 */
function userPrincipal(role: Role, id: string): UserPrincipal {
  return { kind: 'user', id, email: `${role}@bastion.test`, role, scopes: ROLE_SCOPES[role], via: 'token' };
}

export const adminPrincipal = userPrincipal('admin', '00000000-0000-4000-8000-00000000a001');
export const operatorPrincipal = userPrincipal('operator', '00000000-0000-4000-8000-00000000a002');
export const viewerPrincipal = userPrincipal('viewer', '00000000-0000-4000-8000-00000000a003');

/** A key principal with exactly `scopes`, owned by the admin above. */
export function apiKeyPrincipal(scopes: readonly Scope[], name = 'test-key'): ApiKeyPrincipal {
  return { kind: 'apiKey', id: '00000000-0000-4000-8000-00000000b001', name, ownerId: adminPrincipal.id, scopes, via: 'apiKey' };
}

/** `ctx` acting as `principal`. */
export function as<T extends Omit<Context, 'principal'>>(principal: Principal, ctx: T): T & { principal: Principal } {
  return { ...ctx, principal };
}

export const asAdmin = <T extends Omit<Context, 'principal'>>(ctx: T) => as(adminPrincipal, ctx);
export const asOperator = <T extends Omit<Context, 'principal'>>(ctx: T) => as(operatorPrincipal, ctx);
export const asViewer = <T extends Omit<Context, 'principal'>>(ctx: T) => as(viewerPrincipal, ctx);

export interface SeededUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  /** An API key with every scope of the role (`X-API-Key`). */
  apiKey: string;
  apiKeyId: string;
}

/** Known password of every seeded test user. */
export const TEST_PASSWORD = 'correct-horse-battery-staple';

/**
 * Real users in the database — admin, operator, viewer — each with an API key carrying all its
 * role's scopes, for tests that go through the server's credential resolution (HTTP tests).
 * Idempotent per email within a database.
 *
 * @example
 * const users = await seedTestUsers(database.db);
 * await app.inject({ url: '/api/v1/services', headers: { 'x-api-key': users.admin.apiKey } });
 */
export async function seedTestUsers(db: Database, options: { prefix?: string } = {}): Promise<Record<Role, SeededUser>> {
  const passwordHash = await hashPassword(TEST_PASSWORD);
  const seeded = {} as Record<Role, SeededUser>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const email = `${options.prefix ?? ''}${role}@bastion.test`;
    await db.insert(schema.users).values({ email, name: role, role, passwordHash }).onConflictDoNothing({ target: schema.users.email });
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email));
    if (!user) throw new Error(`could not seed ${email}`);
    const { key, prefix, secretHash } = generateApiKey();
    const [row] = await db
      .insert(schema.apiKeys)
      .values({ ownerId: user.id, name: `${role}-test-key`, prefix, secretHash, scopes: [...ROLE_SCOPES[role]] })
      .returning({ id: schema.apiKeys.id });
    if (!row) throw new Error('could not seed a key');
    seeded[role] = { id: user.id, email, password: TEST_PASSWORD, role, apiKey: key, apiKeyId: row.id };
  }
  return seeded;
}

/** Headers that authenticate as `user` through its API key. */
export const keyHeaders = (user: Pick<SeededUser, 'apiKey'>) => ({ 'x-api-key': user.apiKey });

/** The principal of a seeded user, as if it signed in (all its role's scopes). */
export function principalOf(user: Pick<SeededUser, 'id' | 'email' | 'role'>): UserPrincipal {
  return { kind: 'user', id: user.id, email: user.email, role: user.role, scopes: ROLE_SCOPES[user.role], via: 'token' };
}
