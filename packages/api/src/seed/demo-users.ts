import { schema, type Database } from '@bastion/db';
import { count } from 'drizzle-orm';
import { hashPassword } from '../auth/passwords.js';
import type { Role } from '../auth/scopes.js';

export interface DemoUser {
  email: string;
  password: string;
  role: Role;
}

/** Known credentials, for the demo only: printed at start-up, never used outside demo mode. */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'admin@demo.bastion', password: 'demo-admin-password', role: 'admin' },
  { email: 'operator@demo.bastion', password: 'demo-operator-password', role: 'operator' },
  { email: 'viewer@demo.bastion', password: 'demo-viewer-password', role: 'viewer' },
];

/**
 * In demo mode, on a database without users: an admin, an operator and a viewer with the known
 * passwords above, returned so the server can print them. Null (nothing done) when any user
 * exists, so a real deployment that once ran the demo keeps its own accounts.
 */
export async function seedDemoUsers(ctx: { db: Database; now: () => Date }): Promise<readonly DemoUser[] | null> {
  const [existing] = await ctx.db.select({ n: count() }).from(schema.users);
  if ((existing?.n ?? 0) > 0) return null;
  const now = ctx.now();
  for (const user of DEMO_USERS) {
    await ctx.db
      .insert(schema.users)
      .values({ email: user.email, name: `Demo ${user.role}`, role: user.role, passwordHash: await hashPassword(user.password), createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: schema.users.email });
  }
  return DEMO_USERS;
}
