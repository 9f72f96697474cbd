import type { CredentialError } from '@bastion/api';
import { ANONYMOUS, authenticateAccessToken, authenticateApiKey, authenticateSession, type AuthRuntime, type Principal } from '@bastion/api/auth';
import type { Database } from '@bastion/db';
import type { FastifyRequest } from 'fastify';
import type { CredentialFailure } from './request-principal.js';
import { CSRF_HEADER, SESSION_COOKIE } from './session-cookies.js';

export interface ResolvedPrincipal {
  principal: Principal;
  credentialError?: CredentialError;
  /** Which kind of credential was refused (for the auth-failure metric). */
  failure?: CredentialFailure;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The one place a request's credentials become a principal, for the tRPC and the REST face alike.
 * First match wins: `Authorization: Bearer <JWT>`, then `X-API-Key`, then the dashboard session
 * cookie — which, on anything but GET/HEAD/OPTIONS, also needs `X-CSRF-Token` to match the token
 * bound to the session (double submit). Credentials that do not check out leave the caller
 * anonymous with a `credentialError`, which protected procedures answer with 401 (or 403 for CSRF).
 */
export async function resolvePrincipal(
  request: FastifyRequest,
  deps: { db: Database; now: () => Date; auth: AuthRuntime },
): Promise<ResolvedPrincipal> {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim());
    if (match?.[1]) {
      const principal = await authenticateAccessToken(deps, match[1]);
      return principal
        ? { principal }
        : { principal: ANONYMOUS, failure: 'bad_token', credentialError: { code: 'UNAUTHORIZED', message: 'The access token is invalid, expired or revoked; get a new one.' } };
    }
  }
  const apiKey = header(request, 'x-api-key');
  if (apiKey !== undefined) {
    const principal = await authenticateApiKey(deps, apiKey.trim());
    return principal
      ? { principal }
      : { principal: ANONYMOUS, failure: 'bad_api_key', credentialError: { code: 'UNAUTHORIZED', message: 'The API key is invalid, expired or revoked.' } };
  }
  const sessionToken = request.cookies[SESSION_COOKIE];
  if (sessionToken) {
    const session = await authenticateSession(deps, sessionToken, header(request, CSRF_HEADER));
    if (!session) {
      return { principal: ANONYMOUS, failure: 'bad_session', credentialError: { code: 'UNAUTHORIZED', message: 'The session has expired; sign in again.' } };
    }
    if (!SAFE_METHODS.has(request.method) && !session.csrfValid) {
      return { principal: ANONYMOUS, failure: 'csrf', credentialError: { code: 'FORBIDDEN', message: 'Missing or invalid X-CSRF-Token for a cookie-authenticated request.' } };
    }
    return { principal: session.principal };
  }
  return { principal: ANONYMOUS };
}
