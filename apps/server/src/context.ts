import { IDEMPOTENT_REPLAYED_HEADER, type Context } from '@bastion/api';
import type { AuthRuntime, Principal } from '@bastion/api/auth';
import type { ControlsRuntime, ResponseHeaders } from '@bastion/api/controls';
import type { Database } from '@bastion/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolvePrincipal } from './auth/resolve-principal.js';
import { sessionCookiesFor, type CookieOptions } from './auth/session-cookies.js';

export interface ContextDeps {
  db: Database;
  now: () => Date;
  auth: AuthRuntime;
  cookies?: CookieOptions | undefined;
  /** The runtime controls every call is checked against (kill switches, limits, blocks). */
  controls?: ControlsRuntime | undefined;
  /** Benchmark only (`benchmarkWithout.auth`): every request is this principal, credentials unread. */
  fixedPrincipal?: Principal | undefined;
}

/**
 * The procedures' context for one HTTP request, the same for the tRPC and the REST face: the
 * principal resolved once from its credentials, the session-cookie writer, the client address,
 * the runtime controls with a sink for their response headers, and the `Idempotency-Key` header. (Exported for the benchmark, which mounts tRPC's stock
 * adapter beside ours with the very same context.)
 */
export function createContextFactory(deps: ContextDeps) {
  const { db, now, auth } = deps;
  return async function createContext(request: FastifyRequest, reply: FastifyReply): Promise<Context> {
    const { failure, ...resolved } = deps.fixedPrincipal ? { principal: deps.fixedPrincipal } : await resolvePrincipal(request, { db, now, auth });
    // Kept on the request for what runs after the answer: the log line, metrics, top callers.
    request.principal = resolved.principal;
    if (failure) request.credentialFailure = failure;
    return {
      db,
      now,
      requestId: request.id,
      ip: request.ip,
      auth,
      sessionCookies: sessionCookiesFor(request, reply, deps.cookies),
      ...(deps.controls ? { controls: deps.controls } : {}),
      responseHeaders: responseHeadersOf(reply),
      ...idempotencyKeyOf(request, reply),
      ...resolved,
    };
  };
}

/** The request's `Idempotency-Key` for the context; a replayed answer says so in a header. */
function idempotencyKeyOf(request: FastifyRequest, reply: FastifyReply): Pick<Context, 'idempotencyKey'> {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return {};
  return {
    idempotencyKey: {
      // A repeated header arrives as one comma-joined value, which the key's syntax refuses.
      value: Array.isArray(value) ? value.join(', ') : value,
      onReplay: () => void reply.header(IDEMPOTENT_REPLAYED_HEADER.toLowerCase(), 'true'),
    },
  };
}

/** Where procedures put headers for their HTTP answer (RateLimit), on both faces. */
export function responseHeadersOf(reply: FastifyReply): ResponseHeaders {
  return {
    set(name, value) {
      void reply.header(name, value);
    },
  };
}
