import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInitialAdmin } from './bootstrap.js';
import { passwordLogin } from './login.js';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from './passwords.js';
import { createAuthRuntime } from './runtime.js';

let handle: DatabaseHandle;
const deps = () => ({ db: handle.db, now: () => new Date() });

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe('passwords', () => {
  it('are argon2id with OWASP parameters (m ≥ 19 MiB, t ≥ 2, p = 1)', async () => {
    const phc = await hashPassword('a password of some length');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19 * 1024);
    await expect(verifyPassword(phc, 'a password of some length')).resolves.toBe(true);
    await expect(verifyPassword(phc, 'another')).resolves.toBe(false);
    await expect(verifyPassword(null, 'bastion-dummy-password-for-timing')).resolves.toBe(false);
    await expect(verifyPassword('not a phc string', 'x')).resolves.toBe(false);
  });
});

describe('the first admin', () => {
  it('refuses a short configured password', async () => {
    await expect(ensureInitialAdmin(deps(), { email: 'root@example.com', password: 'short' })).rejects.toThrow(/at least 12/);
  });

  it('is created on an empty database with a generated password that works, once', async () => {
    const admin = await ensureInitialAdmin(deps());
    expect(admin).toEqual({ email: 'admin@bastion.local', generatedPassword: expect.stringMatching(/^[\w-]{24}$/) as unknown });
    const auth = await createAuthRuntime(handle.db);
    const login = await passwordLogin({ ...deps(), auth }, { username: 'admin@bastion.local', password: admin?.generatedPassword ?? '', ip: undefined });
    expect(login).toMatchObject({ ok: true, user: { role: 'admin' } });
    await expect(ensureInitialAdmin(deps(), { email: 'other@example.com', password: 'long-enough-password' })).resolves.toBeNull();
    expect(await handle.db.$count(schema.users)).toBe(1);
  });

  it('is created from BASTION_ADMIN_EMAIL/BASTION_ADMIN_PASSWORD when both are valid, and that password signs in', async () => {
    const own = await openTestDatabase();
    try {
      const ownDeps = { db: own.db, now: () => new Date() };
      const admin = await ensureInitialAdmin(ownDeps, { email: ' Root@Example.com ', password: 'a-configured-password' });
      expect(admin).toEqual({ email: 'root@example.com', generatedPassword: null });
      const auth = await createAuthRuntime(own.db);
      const login = await passwordLogin({ ...ownDeps, auth }, { username: 'root@example.com', password: 'a-configured-password', ip: undefined });
      expect(login).toMatchObject({ ok: true, user: { role: 'admin', email: 'root@example.com' } });
      const wrong = await passwordLogin({ ...ownDeps, auth }, { username: 'root@example.com', password: 'not-the-configured-one', ip: undefined });
      expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    } finally {
      await own.close();
    }
  });
});
