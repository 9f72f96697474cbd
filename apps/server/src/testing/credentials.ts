import { ALL_SCOPES, generateApiKey, type Role, type Scope } from '@bastion/api/auth';
import { keyHeaders, seedTestUsers, type SeededUser } from '@bastion/api/testing/principals';
import { schema, type Database } from '@bastion/db';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

export { keyHeaders, TEST_PASSWORD, type SeededUser } from '@bastion/api/testing/principals';

export interface TestCredentials {
  users: Record<Role, SeededUser>;
  /** `X-API-Key` headers of the admin: every scope. */
  admin: Record<string, string>;
  operator: Record<string, string>;
  viewer: Record<string, string>;
}

/**
 * Seeds admin, operator and viewer users with API keys, for HTTP tests. Existing tests adapt by
 * adding `headers: creds.admin` to their requests, or by using `injectAs`.
 *
 * @example
 * const creds = await seedCredentials(database.db);
 * await app.inject({ method: 'POST', url: '/api/v1/services', headers: creds.admin, payload });
 */
export async function seedCredentials(db: Database): Promise<TestCredentials> {
  const users = await seedTestUsers(db);
  return { users, admin: keyHeaders(users.admin), operator: keyHeaders(users.operator), viewer: keyHeaders(users.viewer) };
}

/** `app.inject` with credential headers merged in (explicit headers win). */
export function injectAs(app: FastifyInstance, headers: Record<string, string>) {
  return (options: InjectOptions): Promise<LightMyRequestResponse> =>
    app.inject({ ...options, headers: { ...headers, ...(options.headers as Record<string, string> | undefined) } });
}

/** An API key, owned by `owner`, with every scope except `without`. */
export async function keyWithout(db: Database, owner: SeededUser, without: readonly Scope[]): Promise<string> {
  const { key, prefix, secretHash } = generateApiKey();
  await db.insert(schema.apiKeys).values({ ownerId: owner.id, name: `without-${without.join('-')}`, prefix, secretHash, scopes: ALL_SCOPES.filter((s) => !without.includes(s)) });
  return key;
}
