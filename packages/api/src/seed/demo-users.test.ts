import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { passwordLogin } from '../auth/login.js';
import { createAuthRuntime } from '../auth/runtime.js';
import { DEMO_USERS, seedDemoUsers } from './demo-users.js';

let handle: DatabaseHandle;
const deps = () => ({ db: handle.db, now: () => new Date() });

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe('seedDemoUsers', () => {
  it('creates an admin, an operator and a viewer whose printed passwords work, once', async () => {
    expect(await seedDemoUsers(deps())).toEqual(DEMO_USERS);
    const auth = await createAuthRuntime(handle.db);
    for (const user of DEMO_USERS) {
      const login = await passwordLogin({ ...deps(), auth }, { username: user.email, password: user.password, ip: undefined });
      expect(login).toMatchObject({ ok: true, user: { role: user.role } });
    }
    expect(await seedDemoUsers(deps())).toBeNull();
  });
});
