import { createHash } from 'node:crypto';
import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { desc, isNull } from 'drizzle-orm';
import {
  CompactEncrypt,
  calculateJwkThumbprint,
  compactDecrypt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';

/** Ed25519 signatures: small keys, deterministic, no curve-parameter pitfalls. */
export const SIGNING_ALG = 'EdDSA';

/** How long an unknown `kid` waits before we look in the database again (another instance may have rotated). */
const RELOAD_INTERVAL_MS = 10_000;

interface LoadedKey {
  kid: string;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * The JWT signing keys, persisted in `signing_keys` so tokens survive restarts and verify on every
 * instance. The private key is stored as a JWE (`dir` + A256GCM, key = SHA-256 of the configured
 * secret) when a secret is configured, and is never exported anywhere else.
 */
export class SigningKeys {
  private signing: { kid: string; privateKey: CryptoKey } | undefined;
  private verifying = new Map<string, LoadedKey>();
  private lastLoad = 0;
  private readonly encryptionKey: Uint8Array | undefined;

  constructor(
    private readonly db: Database,
    encryptionSecret?: string,
  ) {
    this.encryptionKey = encryptionSecret ? createHash('sha256').update(encryptionSecret).digest() : undefined;
  }

  private initialised: Promise<void> | undefined;

  /**
   * Loads the keys, creating the first one on an empty database. Idempotent and shared by
   * concurrent callers; a failure (database down, wrong sealing secret) is retried next time.
   * Called on first use, so the server starts even while the database is unreachable.
   */
  init(): Promise<void> {
    this.initialised ??= (async () => {
      await this.load();
      if (!this.signing) await this.rotate();
    })().catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
  }

  /** Creates a new signing key; older keys keep verifying until retired. */
  async rotate(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = JSON.stringify(await exportJWK(privateKey));
    await this.db
      .insert(schema.signingKeys)
      .values({
        kid,
        alg: SIGNING_ALG,
        publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
        privateJwk: await this.seal(privateJwk),
      })
      .onConflictDoNothing();
    await this.load();
    return kid;
  }

  /** The key new tokens are signed with. */
  async current(): Promise<{ kid: string; privateKey: CryptoKey }> {
    await this.init();
    if (!this.signing) throw new Error('no signing key');
    return this.signing;
  }

  /** The public key for `kid`, looking in the database again (rate-limited) when it is unknown. */
  async publicKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    await this.init();
    const known = this.verifying.get(kid);
    if (known) return known.publicKey;
    if (Date.now() - this.lastLoad < RELOAD_INTERVAL_MS) return undefined;
    await this.load();
    return this.verifying.get(kid)?.publicKey;
  }

  /** The JWK Set served at `/.well-known/jwks.json`: public halves only. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.init();
    return { keys: [...this.verifying.values()].map((k) => k.publicJwk) };
  }

  private async load(): Promise<void> {
    this.lastLoad = Date.now();
    const rows = await this.db
      .select()
      .from(schema.signingKeys)
      .where(isNull(schema.signingKeys.retiredAt))
      .orderBy(desc(schema.signingKeys.createdAt), desc(schema.signingKeys.kid));
    const verifying = new Map<string, LoadedKey>();
    for (const row of rows) {
      const publicJwk = row.publicJwk as JWK;
      verifying.set(row.kid, { kid: row.kid, publicJwk, publicKey: (await importJWK(publicJwk, row.alg)) as CryptoKey });
    }
    this.verifying = verifying;
    const newest = rows[0];
    if (newest) {
      const privateJwk = JSON.parse(await this.unseal(newest.privateJwk)) as JWK;
      this.signing = { kid: newest.kid, privateKey: (await importJWK(privateJwk, newest.alg)) as CryptoKey };
    }
  }

  private async seal(plaintext: string): Promise<string> {
    if (!this.encryptionKey) return plaintext;
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.encryptionKey);
  }

  private async unseal(stored: string): Promise<string> {
    if (stored.startsWith('{')) return stored;
    if (!this.encryptionKey) {
      throw new Error('The signing key is encrypted; set BASTION_KEY_ENCRYPTION_SECRET to the secret it was sealed with.');
    }
    const { plaintext } = await compactDecrypt(stored, this.encryptionKey);
    return new TextDecoder().decode(plaintext);
  }
}
