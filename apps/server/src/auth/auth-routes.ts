import formbody from '@fastify/formbody';
import { ANONYMOUS, exchangeToken, type AuthRuntime, type TokenRequest } from '@bastion/api/auth';
import type { ControlsRuntime, ResponseHeaders } from '@bastion/api/controls';
import { REST_BASE_PATH, TOKEN_PATH } from '@bastion/api/openapi';
import type { Database } from '@bastion/db';
import { getTRPCErrorFromUnknown } from '@trpc/server';
import { DomainProblem } from '@bastion/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problemFromTRPCError, sendProblem } from '../problem.js';

export interface AuthRoutesOptions {
  db: Database;
  now: () => Date;
  auth: AuthRuntime;
  /** The token endpoint is a native route, so it meets the runtime controls here (class `auth`). */
  controls?: ControlsRuntime;
  responseHeaders?: (reply: FastifyReply) => ResponseHeaders;
}

const TOKEN_FIELDS = ['grant_type', 'username', 'password', 'scope', 'client_id', 'client_secret', 'refresh_token'] as const;

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** RFC 6749 §2.3.1: client credentials in HTTP Basic, each part form-urlencoded. */
function basicCredentials(authorization: string | undefined): { client_id: string; client_secret: string } | null {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    return {
      client_id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      client_secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    };
  } catch {
    return null;
  }
}

/**
 * `POST /api/v1/auth/token` (OAuth2, RFC 6749) and `GET /.well-known/jwks.json`. The token route
 * lives in its own plugin so the form-urlencoded parser exists for it alone: every other route
 * still accepts JSON only.
 */
export async function registerAuthRoutes(app: FastifyInstance, options: AuthRoutesOptions) {
  const { auth } = options;
  app.get('/.well-known/jwks.json', { config: { procedurePath: 'jwks' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(await auth.keys.jwks()),
  );

  await app.register(async function tokenEndpoint(instance) {
    await instance.register(formbody, { bodyLimit: 16 * 1024 });
    instance.post(`${REST_BASE_PATH}${TOKEN_PATH}`, { config: { procedurePath: 'auth.token' } }, async function token(request, reply) {
      if (options.controls) {
        try {
          const call = { path: 'auth.token', type: 'mutation' as const, principal: ANONYMOUS, ip: request.ip, at: options.now() };
          await options.controls.enforce(call, options.responseHeaders?.(reply));
        } catch (cause) {
          // Refused before any credential is looked at: a problem, like every other refusal.
          const error = getTRPCErrorFromUnknown(cause);
          if (error.cause instanceof DomainProblem) reply.headers(error.cause.headers);
          return sendProblem(request, reply, problemFromTRPCError(error));
        }
      }
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        return oauthError(reply, 415, 'invalid_request', 'Send the token request as application/x-www-form-urlencoded.');
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      const params: TokenRequest = {};
      for (const field of TOKEN_FIELDS) {
        const value = body[field];
        if (value === undefined) continue;
        // RFC 6749 §3.2: a parameter sent twice is an invalid request.
        if (typeof value !== 'string') return oauthError(reply, 400, 'invalid_request', `${field} must be given once.`);
        params[field] = value;
      }
      const basic = basicCredentials(request.headers.authorization);
      if (basic && params.grant_type === 'client_credentials') Object.assign(params, basic);

      const result = await exchangeToken({ db: options.db, now: options.now, auth, ip: request.ip, requestId: request.id }, params);
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      if (result.ok) return reply.code(200).send(result.body);
      const { status, error, error_description: description, headers } = result.error;
      for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
      return reply.code(status).send({ error, error_description: description });
    });
  });
}
