import type { Role, Scope } from './scopes.js';

/** Who is calling, resolved once per request by the server (or set by a test). */
export type Principal = AnonymousPrincipal | UserPrincipal | ApiKeyPrincipal;

export interface AnonymousPrincipal {
  kind: 'anonymous';
  id: null;
  scopes: readonly Scope[];
}

export interface UserPrincipal {
  kind: 'user';
  /** The user's id. */
  id: string;
  email: string;
  role: Role;
  /** The scopes this request carries: the role's, narrowed by the token's `scope`. */
  scopes: readonly Scope[];
  /** How the user proved it: a dashboard session cookie or a bearer token. */
  via: 'session' | 'token';
  /** The session behind a cookie login, so logout can end it. */
  sessionId?: string | undefined;
  /** The access token (`jti`) behind a bearer login, so a password change can keep it working. */
  tokenId?: string | undefined;
}

export interface ApiKeyPrincipal {
  kind: 'apiKey';
  /** The key's id. */
  id: string;
  name: string;
  /** The user who owns the key; the key can never do more than they can. */
  ownerId: string;
  scopes: readonly Scope[];
  via: 'apiKey' | 'token';
}

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', id: null, scopes: [] });

/** A short, log-safe name for the principal (email or key name). */
export function principalLabel(principal: Principal): string | null {
  switch (principal.kind) {
    case 'anonymous':
      return null;
    case 'user':
      return principal.email;
    case 'apiKey':
      return principal.name;
  }
}

/** The user a principal acts for: itself, or a key's owner. */
export function actingUserId(principal: Principal): string | null {
  switch (principal.kind) {
    case 'anonymous':
      return null;
    case 'user':
      return principal.id;
    case 'apiKey':
      return principal.ownerId;
  }
}
