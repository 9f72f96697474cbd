import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { eq } from 'drizzle-orm';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenForger, type ForgeOptions, type TokenForger } from '../testing/forged-tokens.js';
import { seedTestUsers, type SeededUser } from '../testing/principals.js';
import { signAccessToken, verifyAccessToken } from './access-tokens.js';
import { authenticateAccessToken } from './credentials.js';
import { exchangeToken } from './oauth.js';
import { createAuthRuntime, type AuthRuntime } from './runtime.js';

let handle: DatabaseHandle;
let auth: AuthRuntime;
let admin: SeededUser;
const now = new Date('2025-06-01T12:00:00Z');
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

let forger: TokenForger;

beforeAll(async () => {
  handle = await openTestDatabase();
  auth = await createAuthRuntime(handle.db);
  admin = (await seedTestUsers(handle.db)).admin;
  forger = await createTokenForger(auth, admin.id, () => now);
});
afterAll(async () => {
  await handle.close();
});

const forge = (options?: ForgeOptions) => forger.forge(options);
const claims = () => ({ scope: 'services:read', bst_kind: 'user', client_id: 'bastion', jti: 'j1' });

describe('access tokens', () => {
  it('a token we sign verifies, and carries sub, scopes, kind', async () => {
    const { token, expiresIn } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read', 'audit:read'], now);
    expect(expiresIn).toBeLessThanOrEqual(900);
    await expect(verifyAccessToken(auth, token, now)).resolves.toMatchObject({ kind: 'user', id: admin.id, scopes: ['services:read', 'audit:read'] });
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: forger.kid });
  });

  it('the forge helper makes a token that does verify (so the rejections below are meaningful)', async () => {
    await expect(verifyAccessToken(auth, await forge(), now)).resolves.not.toBeNull();
  });

  it('verifies against the published JWKS with a stock JOSE client', async () => {
    const { token } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read'], now);
    const jwks = createLocalJWKSet(await auth.keys.jwks());
    await expect(jwtVerify(token, jwks, { issuer: 'bastion', audience: 'bastion-api', currentDate: now })).resolves.toBeTruthy();
    expect(JSON.stringify(await auth.keys.jwks())).not.toMatch(/"d":/);
  });

  it('rejects alg:none', async () => {
    await expect(verifyAccessToken(auth, forger.unsigned(), now)).resolves.toBeNull();
  });

  it('rejects HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const tokens = await forger.hmacWithPublicKey();
    expect(tokens).toHaveLength(2);
    for (const token of tokens) await expect(verifyAccessToken(auth, token, now)).resolves.toBeNull();
  });

  it('rejects an expired token', async () => {
    const token = await forge({ iat: seconds(now) - 1200, exp: seconds(now) - 300 });
    await expect(verifyAccessToken(auth, token, now)).resolves.toBeNull();
    const { token: ours } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read'], now);
    await expect(verifyAccessToken(auth, ours, new Date(now.getTime() + 16 * 60_000))).resolves.toBeNull();
  });

  it('rejects a token that claims to live longer than 15 minutes', async () => {
    await expect(verifyAccessToken(auth, await forge({ exp: seconds(now) + 24 * 3600 }), now)).resolves.toBeNull();
  });

  it('rejects the wrong iss and the wrong aud', async () => {
    await expect(verifyAccessToken(auth, await forge({ iss: 'evil' }), now)).resolves.toBeNull();
    await expect(verifyAccessToken(auth, await forge({ aud: 'another-api' }), now)).resolves.toBeNull();
  });

  it('rejects an unknown kid, and a token signed by a key we never issued', async () => {
    await expect(verifyAccessToken(auth, await forge({ header: { kid: 'no-such-kid' } }), now)).resolves.toBeNull();
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'EdDSA', kid: forger.kid, typ: 'at+jwt' })
      .setIssuer('bastion')
      .setAudience('bastion-api')
      .setSubject(admin.id)
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(now) + 600)
      .sign(stranger.privateKey);
    await expect(verifyAccessToken(auth, token, now)).resolves.toBeNull();
    // An attacker-supplied key in the header is never trusted.
    const embedded = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', jwk: await exportJWK(stranger.publicKey) })
      .setIssuer('bastion')
      .setAudience('bastion-api')
      .setSubject(admin.id)
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(now) + 600)
      .sign(stranger.privateKey);
    await expect(verifyAccessToken(auth, embedded, now)).resolves.toBeNull();
  });

  it('rejects a tampered payload (scope widened after signing)', async () => {
    const { token } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read'], now);
    await expect(verifyAccessToken(auth, forger.tamper(token, { scope: 'users:manage audit:read' }), now)).resolves.toBeNull();
  });

  it('rejects a token without typ at+jwt (e.g. some other JWT of ours)', async () => {
    await expect(verifyAccessToken(auth, await forge({ header: { typ: 'JWT' } }), now)).resolves.toBeNull();
  });

  it('rejects a refresh token used as an access token', async () => {
    const granted = await exchangeToken({ db: handle.db, now: () => now, auth }, { grant_type: 'password', username: admin.email, password: admin.password });
    if (!granted.ok) throw new Error(granted.error.error_description);
    const refresh = granted.body.refresh_token ?? '';
    expect(refresh).toMatch(/^bst_rt_/);
    await expect(authenticateAccessToken({ db: handle.db, now: () => now, auth }, refresh)).resolves.toBeNull();
    await expect(authenticateAccessToken({ db: handle.db, now: () => now, auth }, granted.body.access_token)).resolves.toMatchObject({ kind: 'user', id: admin.id });
  });

  it('stops working at once when the user is disabled, and narrows when the role shrinks', async () => {
    const { token } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read', 'users:manage'], now);
    const deps = { db: handle.db, now: () => now, auth };
    await handle.db.update(schema.users).set({ role: 'viewer' }).where(eq(schema.users.id, admin.id));
    await expect(authenticateAccessToken(deps, token)).resolves.toMatchObject({ scopes: ['services:read'] });
    await handle.db.update(schema.users).set({ disabledAt: now }).where(eq(schema.users.id, admin.id));
    await expect(authenticateAccessToken(deps, token)).resolves.toBeNull();
    await handle.db.update(schema.users).set({ role: 'admin', disabledAt: null }).where(eq(schema.users.id, admin.id));
  });

  it('carries the user’s token generation; one from before the last password change is refused but for the kept one', async () => {
    const deps = { db: handle.db, now: () => now, auth };
    // Tokens without the claim (issued before it existed) are generation 0.
    const legacy = await forge({ payload: { jti: 'legacy' } });
    await expect(verifyAccessToken(auth, legacy, now)).resolves.toMatchObject({ generation: 0, tokenId: 'legacy' });
    const { token: current } = await signAccessToken(auth, { kind: 'user', id: admin.id, generation: 3 }, ['services:read'], now);
    await expect(verifyAccessToken(auth, current, now)).resolves.toMatchObject({ generation: 3 });
    for (const bad of [-1, 1.5, '3', null]) {
      await expect(verifyAccessToken(auth, await forge({ payload: { bst_gen: bad } }), now), String(bad)).resolves.toBeNull();
    }

    await handle.db.update(schema.users).set({ accessTokenGeneration: 3, keptAccessTokenId: 'legacy' }).where(eq(schema.users.id, admin.id));
    await expect(authenticateAccessToken(deps, current)).resolves.toMatchObject({ id: admin.id });
    await expect(authenticateAccessToken(deps, legacy)).resolves.toMatchObject({ id: admin.id, tokenId: 'legacy' });
    await expect(authenticateAccessToken(deps, await forge({ payload: { jti: 'another', bst_gen: 2 } }))).resolves.toBeNull();
    await handle.db.update(schema.users).set({ keptAccessTokenId: null }).where(eq(schema.users.id, admin.id));
    await expect(authenticateAccessToken(deps, legacy)).resolves.toBeNull();
    await handle.db.update(schema.users).set({ accessTokenGeneration: 0 }).where(eq(schema.users.id, admin.id));
  });
});

describe('signing keys', () => {
  it('persist: a second instance (or a restart) verifies tokens the first signed, and signs with the same kid', async () => {
    const { token } = await signAccessToken(auth, { kind: 'user', id: admin.id }, ['services:read'], now);
    const restarted = await createAuthRuntime(handle.db);
    await expect(verifyAccessToken(restarted, token, now)).resolves.not.toBeNull();
    expect((await restarted.keys.current()).kid).toBe(forger.kid);
  });

  it('a rotated key is published in the JWKS of every instance and verifies there', async () => {
    const other = await createAuthRuntime(handle.db);
    const rotated = await other.keys.rotate();
    const { token } = await signAccessToken(other, { kind: 'user', id: admin.id }, ['services:read'], now);
    const fresh = await createAuthRuntime(handle.db);
    await expect(verifyAccessToken(fresh, token, now)).resolves.not.toBeNull();
    expect((await fresh.keys.jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([forger.kid, rotated]));
  });

  it('seals the private key when a secret is configured, and refuses to start without it', async () => {
    const sealed = await openTestDatabase();
    try {
      const secret = 'a-key-encryption-secret-of-at-least-32-chars';
      const runtime = await createAuthRuntime(sealed.db, { keyEncryptionSecret: secret });
      await runtime.keys.init();
      const [row] = await sealed.db.select().from(schema.signingKeys);
      expect(row?.privateJwk.startsWith('{')).toBe(false);
      expect(row?.privateJwk.split('.')).toHaveLength(5);
      const { token } = await signAccessToken(runtime, { kind: 'user', id: admin.id }, ['services:read'], now);
      const again = await createAuthRuntime(sealed.db, { keyEncryptionSecret: secret });
      await expect(verifyAccessToken(again, token, now)).resolves.not.toBeNull();
      await expect((await createAuthRuntime(sealed.db)).keys.init()).rejects.toThrow(/BASTION_KEY_ENCRYPTION_SECRET/);
      await expect((await createAuthRuntime(sealed.db, { keyEncryptionSecret: 'x'.repeat(40) })).keys.init()).rejects.toThrow();
    } finally {
      await sealed.close();
    }
  });

  it('refuses an access-token lifetime over 15 minutes', async () => {
    await expect(createAuthRuntime(handle.db, { accessTokenTtlSeconds: 3600 })).rejects.toThrow(/accessTokenTtlSeconds/);
  });
});
