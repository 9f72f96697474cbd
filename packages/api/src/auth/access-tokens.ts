import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { MAX_ACCESS_TOKEN_TTL_SECONDS, type AuthRuntime } from './runtime.js';
import { SIGNING_ALG } from './signing-keys.js';
import { isScope, type Scope } from './scopes.js';

/** RFC 9068 `typ` for JWT access tokens; anything else (an ID token, a forged JWT) is refused. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenSubject {
  kind: 'user' | 'apiKey';
  id: string;
  /** A user's `accessTokenGeneration` when the token is issued (0 when absent). */
  generation?: number;
}

export interface AccessTokenClaims extends AccessTokenSubject {
  scopes: Scope[];
  expiresAt: Date;
  generation: number;
  /** The token's own id (`jti`). */
  tokenId: string;
}

/** Signs an access token for `subject` carrying `scopes`; lifetime from the runtime (≤ 15 min). */
export async function signAccessToken(
  auth: AuthRuntime,
  subject: AccessTokenSubject,
  scopes: readonly Scope[],
  now: Date,
): Promise<{ token: string; expiresIn: number }> {
  const { kid, privateKey } = await auth.keys.current();
  const iat = Math.floor(now.getTime() / 1000);
  const expiresIn = auth.config.accessTokenTtlSeconds;
  const claims = {
    scope: scopes.join(' '),
    bst_kind: subject.kind,
    client_id: subject.kind === 'apiKey' ? subject.id : 'bastion',
    ...(subject.generation ? { bst_gen: subject.generation } : {}),
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(auth.config.issuer)
    .setAudience(auth.config.audience)
    .setSubject(subject.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .setJti(randomUUID())
    .sign(privateKey);
  return { token, expiresIn };
}

/**
 * Verifies an access token: EdDSA only (no `none`, no HMAC with a public key), a `kid` we issued,
 * `typ` at+jwt, our `iss` and `aud`, not expired, not living longer than 15 min. Null when any
 * check fails; the reason is not told to the caller.
 */
export async function verifyAccessToken(auth: AuthRuntime, token: string, now: Date): Promise<AccessTokenClaims | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await auth.keys.publicKey(header.kid);
        if (!key) throw new Error('unknown kid');
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        issuer: auth.config.issuer,
        audience: auth.config.audience,
        typ: ACCESS_TOKEN_TYP,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        maxTokenAge: MAX_ACCESS_TOKEN_TTL_SECONDS,
        clockTolerance: 5,
      },
    );
    const { sub, exp, iat, jti, scope, bst_kind: kind, bst_gen: generation = 0 } = payload as {
      sub: string;
      exp: number;
      iat: number;
      jti: string;
      scope?: unknown;
      bst_kind?: unknown;
      bst_gen?: unknown;
    };
    if (exp - iat > MAX_ACCESS_TOKEN_TTL_SECONDS) return null;
    if (kind !== 'user' && kind !== 'apiKey') return null;
    if (typeof scope !== 'string') return null;
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return null;
    const scopes = scope.split(' ').filter(isScope);
    return { kind, id: sub, scopes, expiresAt: new Date(exp * 1000), generation, tokenId: jti };
  } catch {
    return null;
  }
}
