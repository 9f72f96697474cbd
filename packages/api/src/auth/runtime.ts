import type { Database } from '@bastion/db';
import { SigningKeys } from './signing-keys.js';
import { LoginThrottle, type LoginThrottleOptions } from './throttle.js';

export interface AuthOptions {
  /** `iss` of access tokens (default `bastion`). */
  issuer?: string;
  /** `aud` of access tokens (default `bastion-api`). */
  audience?: string;
  /** Access-token lifetime in seconds; at most 900 (default 900). */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds (default 7 days); each rotation starts a new one. */
  refreshTokenTtlSeconds?: number;
  /** Dashboard session lifetime in seconds (default 12 h, absolute). */
  sessionTtlSeconds?: number;
  /** Seals the private signing key in the database; at least 32 characters. */
  keyEncryptionSecret?: string | undefined;
  loginThrottle?: LoginThrottleOptions;
}

export interface AuthConfig {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionTtlSeconds: number;
}

/** Per-process auth state: configuration, the signing keys and the login throttle. */
export interface AuthRuntime {
  config: AuthConfig;
  keys: SigningKeys;
  loginThrottle: LoginThrottle;
}

/** Longest an access token may live: revocation of a user or key shows within this. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * Builds the auth runtime. Signing keys load (and the first is created) on first use; call
 * `runtime.keys.init()` to fail fast at start-up instead.
 */
export async function createAuthRuntime(db: Database, options: AuthOptions = {}): Promise<AuthRuntime> {
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? MAX_ACCESS_TOKEN_TTL_SECONDS;
  if (accessTokenTtlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS || accessTokenTtlSeconds < 1) {
    throw new Error(`accessTokenTtlSeconds must be 1–${MAX_ACCESS_TOKEN_TTL_SECONDS}`);
  }
  const keys = new SigningKeys(db, options.keyEncryptionSecret);
  return {
    config: {
      issuer: options.issuer ?? 'bastion',
      audience: options.audience ?? 'bastion-api',
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 7 * 24 * 3600,
      sessionTtlSeconds: options.sessionTtlSeconds ?? 12 * 3600,
    },
    keys,
    loginThrottle: new LoginThrottle(options.loginThrottle),
  };
}
