import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { generateApiKey } from '../../auth/credentials.js';
import { actingUserId, type Principal } from '../../auth/principal.js';
import { invalidInput, notFound } from '../../common/errors.js';
import type { ApiKey, CreateApiKeyInput } from './api-keys.schema.js';
import type { Scope } from '../../auth/scopes.js';

type Deps = { db: Database; now: () => Date };
type ApiKeyRow = typeof schema.apiKeys.$inferSelect;

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    ownerId: row.ownerId,
    scopes: row.scopes as Scope[],
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Admins (users:manage) see every key; everyone else only their own. */
function visibleTo(principal: Principal): SQL | undefined {
  if (principal.scopes.includes('users:manage')) return undefined;
  return eq(schema.apiKeys.ownerId, actingUserId(principal) ?? '00000000-0000-0000-0000-000000000000');
}

/**
 * Creates a key owned by the caller (a key's owner, when a key creates one). Its scopes can be at
 * most the caller's own. The secret is returned here and nowhere else; only its hash is stored.
 */
export async function createApiKey(deps: Deps, principal: Principal, input: CreateApiKeyInput): Promise<ApiKey & { secret: string }> {
  const ownerId = actingUserId(principal);
  if (!ownerId) throw notFound('No owner for the key.');
  const excess = input.scopes.filter((s) => !principal.scopes.includes(s));
  if (excess.length > 0) {
    throw invalidInput(`You cannot grant scopes you do not hold: ${excess.join(', ')}.`, [
      { pointer: '/scopes', detail: `Not yours to grant: ${excess.join(', ')}.` },
    ]);
  }
  const now = deps.now();
  if (input.expiresAt && new Date(input.expiresAt) <= now) {
    throw invalidInput('The expiry is in the past.', [{ pointer: '/expiresAt', detail: 'Must be in the future.' }]);
  }
  const { key, prefix, secretHash } = generateApiKey();
  const [row] = await deps.db
    .insert(schema.apiKeys)
    .values({
      ownerId,
      name: input.name,
      prefix,
      secretHash,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      createdAt: now,
    })
    .returning();
  if (!row) throw new Error('api key insert returned nothing');
  return { ...toApiKey(row), secret: key };
}

export async function listApiKeys(deps: Deps, principal: Principal): Promise<{ items: ApiKey[] }> {
  const rows = await deps.db
    .select()
    .from(schema.apiKeys)
    .where(visibleTo(principal))
    .orderBy(desc(schema.apiKeys.createdAt), desc(schema.apiKeys.id));
  return { items: rows.map(toApiKey) };
}

/** Revokes a key (kept for the record); the next request with it is refused. 404 for keys the caller cannot see. */
export async function revokeApiKey(deps: Deps, principal: Principal, id: string): Promise<void> {
  const [row] = await deps.db
    .select()
    .from(schema.apiKeys)
    .where(and(eq(schema.apiKeys.id, id), visibleTo(principal)));
  if (!row) throw notFound(`No API key ${id}.`);
  await deps.db
    .update(schema.apiKeys)
    .set({ revokedAt: deps.now() })
    .where(and(eq(schema.apiKeys.id, id), isNull(schema.apiKeys.revokedAt)));
}
