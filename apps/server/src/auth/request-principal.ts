import type { Principal } from '@bastion/api/auth';
import type { FastifyRequest } from 'fastify';

/** Why presented credentials were refused; a metrics label, so a short fixed set. */
export type CredentialFailure = 'bad_token' | 'bad_api_key' | 'bad_session' | 'csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was resolved to, once a procedure's context was built (unset otherwise). */
    principal?: Principal;
    /** Set when credentials were presented and refused. */
    credentialFailure?: CredentialFailure;
  }
}

/**
 * Who sent a request, for the Traffic page's top callers: the API key or user it authenticated
 * as, else the client address. An id, never a credential.
 */
export function callerOf(request: FastifyRequest): string {
  const { principal } = request;
  if (principal?.kind === 'apiKey') return `apiKey:${principal.id}`;
  if (principal?.kind === 'user') return `user:${principal.id}`;
  return `ip:${request.ip}`;
}

/** The principal as a log field: `apiKey:<id>`, `user:<id>` or `anonymous`. */
export function principalLogField(request: FastifyRequest): string {
  const { principal } = request;
  return principal && principal.kind !== 'anonymous' ? `${principal.kind}:${principal.id}` : 'anonymous';
}
