import { SignJWT, type JWK } from 'jose';
import type { AuthRuntime } from '../auth/runtime.js';

export interface ForgeOptions {
  payload?: Record<string, unknown>;
  header?: Record<string, unknown>;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch. */
  iat?: number;
  exp?: number;
}

/** Makers of near-valid access tokens, each wrong in one way, for rejection tests. */
export interface TokenForger {
  /** The kid of the real signing key. */
  kid: string;
  /** Signed with our real key and kid, every claim right unless overridden: it verifies as it is. */
  forge(options?: ForgeOptions): Promise<string>;
  /** `alg: none`, no signature, otherwise right. */
  unsigned(): string;
  /** HS256 keyed with our public key (its JWK JSON, then its raw bytes): algorithm confusion. */
  hmacWithPublicKey(): Promise<string[]>;
  /** `token` with its payload changed after signing (the signature kept). */
  tamper(token: string, changes: Record<string, unknown>): string;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs with the real private key (which an attacker could not) so each forged token
 * differs from a valid one in exactly the way a test names. `now` is the verifier's clock.
 */
export async function createTokenForger(auth: AuthRuntime, subjectId: string, now: () => Date): Promise<TokenForger> {
  const { kid, privateKey } = await auth.keys.current();
  const claims = (overrides: Record<string, unknown> = {}) => ({ scope: 'services:read', bst_kind: 'user', client_id: 'bastion', jti: 'j1', ...overrides });
  const build = (header: Record<string, unknown>, options: ForgeOptions = {}) => {
    const iat = options.iat ?? seconds(now());
    return new SignJWT(claims(options.payload))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })
      .setIssuer(options.iss ?? auth.config.issuer)
      .setAudience(options.aud ?? auth.config.audience)
      .setSubject(subjectId)
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 600);
  };
  return {
    kid,
    forge: (options = {}) => build(options.header ?? {}, options).sign(privateKey),
    unsigned() {
      const iat = seconds(now());
      const payload = { ...claims(), iss: auth.config.issuer, aud: auth.config.audience, sub: subjectId, iat, exp: iat + 600 };
      return `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(payload)}.`;
    },
    async hmacWithPublicKey() {
      const publicJwk = (await auth.keys.jwks()).keys.find((k) => k.kid === kid) as JWK;
      const keys = [new TextEncoder().encode(JSON.stringify(publicJwk)), new Uint8Array(Buffer.from(publicJwk.x ?? '', 'base64url'))];
      return Promise.all(keys.map((key) => build({ alg: 'HS256' }).sign(key)));
    },
    tamper(token, changes) {
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claimsSet = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      return `${header}.${b64({ ...claimsSet, ...changes })}.${signature}`;
    },
  };
}
