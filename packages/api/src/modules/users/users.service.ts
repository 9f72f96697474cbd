import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { and, asc, count, eq, isNull, ne } from 'drizzle-orm';
import { revokeUserRefreshTokens } from '../../auth/oauth.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Role } from '../../auth/scopes.js';
import { randomSecret } from '../../auth/secrets.js';
import { conflict, notFound } from '../../common/errors.js';
import type { AuditNote } from '../../trpc.js';
import type { CreateUserInput, UpdateUserInput, User } from './users.schema.js';

type Deps = { db: Database; now: () => Date };
type UserRow = typeof schema.users.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listUsers(deps: Deps): Promise<{ items: User[] }> {
  const rows = await deps.db.select().from(schema.users).orderBy(asc(schema.users.createdAt), asc(schema.users.email));
  return { items: rows.map(toUser) };
}

/** Creates a user; generates a password (returned once) when none is given. */
export async function createUser(deps: Deps, input: CreateUserInput): Promise<User & { temporaryPassword: string | null }> {
  const temporaryPassword = input.password ? null : randomSecret(18);
  const passwordHash = await hashPassword(input.password ?? temporaryPassword ?? '');
  const now = deps.now();
  const [row] = await deps.db
    .insert(schema.users)
    .values({ email: input.email, name: input.name, role: input.role, passwordHash, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: schema.users.email })
    .returning();
  if (!row) throw conflict(`A user with email ${input.email} already exists.`);
  return { ...toUser(row), temporaryPassword };
}

async function otherActiveAdmins(db: Database, id: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(schema.users)
    .where(and(eq(schema.users.role, 'admin'), isNull(schema.users.disabledAt), ne(schema.users.id, id)));
  return row?.n ?? 0;
}

/**
 * Changes a user's name, role or disabled flag. Refuses to leave the system without an active
 * admin. Disabling revokes the user's refresh tokens; sessions, access tokens and keys stop at
 * the next request because every request re-reads the user.
 */
export async function updateUser(deps: Deps, input: UpdateUserInput, audit: AuditNote): Promise<User> {
  const [current] = await deps.db.select().from(schema.users).where(eq(schema.users.id, input.id));
  if (!current) throw notFound(`No user ${input.id}.`);
  const losesAdmin = current.role === 'admin' && ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
  if (losesAdmin && (await otherActiveAdmins(deps.db, current.id)) === 0) {
    throw conflict('This is the last active admin; promote another user first.');
  }
  const now = deps.now();
  const patch: Partial<UserRow> = { updatedAt: now };
  if (input.name !== undefined) patch.name = input.name;
  if (input.role !== undefined) patch.role = input.role;
  if (input.disabled !== undefined) patch.disabledAt = input.disabled ? (current.disabledAt ?? now) : null;
  const [row] = await deps.db.update(schema.users).set(patch).where(eq(schema.users.id, input.id)).returning();
  if (!row) throw notFound(`No user ${input.id}.`);
  if (input.disabled === true) await revokeUserRefreshTokens(deps, row.id);
  audit.target = row.id;
  audit.detail = {
    ...(input.role !== undefined && input.role !== current.role ? { role: { from: current.role, to: input.role satisfies Role } } : {}),
    ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
  };
  return toUser(row);
}
