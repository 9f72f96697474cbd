import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TrafficRecorder } from '@bastion/api/traffic';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../auth/request-principal.js';

/** Per-app Prometheus metrics (a registry of its own, so two apps in one process never mix). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'procedure' | 'method' | 'status'>;
  duration: Histogram<'procedure' | 'method'>;
  rateLimited: Counter<'policy'>;
  authFailures: Counter<'reason'>;
}

/**
 * Why a request failed authentication: credentials refused (`bad_token`, `bad_api_key` — unknown,
 * expired or revoked —, `bad_session`, `csrf`), a sign-in refused (`bad_password`, or `bad_grant`
 * at the OAuth token endpoint), or a protected call without credentials (`no_credentials`).
 */
export type AuthFailureReason = NonNullable<FastifyRequest['credentialFailure']> | 'no_credentials' | 'bad_password' | 'bad_grant';

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'bastion_' });
  return {
    registry,
    requests: new Counter({
      name: 'bastion_http_requests_total',
      help: 'Requests answered, by procedure (or route), method and status.',
      labelNames: ['procedure', 'method', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'bastion_http_request_duration_seconds',
      help: 'Time to answer a request, by procedure (or route) and method.',
      labelNames: ['procedure', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'bastion_rate_limited_total',
      help: 'Requests refused with 429, by rate-limit policy (e.g. "principal-read"; "sign-in-throttle" for failed sign-ins).',
      labelNames: ['policy'],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'bastion_auth_failures_total',
      help: 'Requests that failed authentication, by reason (no_credentials, bad_token, bad_api_key, bad_session, csrf, bad_password, bad_grant).',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/**
 * Counts and times every answered request, for Prometheus and (when given) the Traffic page.
 * Labels use the procedure or route *template*, never the raw URL, so a scan of random paths
 * cannot explode the number of series.
 */
export function registerMetricsHooks(app: FastifyInstance, metrics: Metrics, traffic?: TrafficRecorder) {
  app.addHook('onResponse', async function recordRequestMetrics(request, reply) {
    const procedure = request.routeOptions.config.procedurePath ?? request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.requests.inc({ procedure, method, status: String(reply.statusCode) });
    metrics.duration.observe({ procedure, method }, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) metrics.rateLimited.inc({ policy: rateLimitPolicyOf(reply) });
    const authFailure = authFailureOf(request, reply, procedure);
    if (authFailure) metrics.authFailures.inc({ reason: authFailure });
    traffic?.record(procedure, reply.statusCode, reply.elapsedTime, callerOf(request));
  });
}

/**
 * The policy a 429 was answered under, from its `RateLimit-Policy` header (the runtime limits name
 * it there for the client too); a 429 without one is the sign-in throttle.
 */
function rateLimitPolicyOf(reply: FastifyReply): string {
  const header = reply.getHeader('ratelimit-policy');
  const name = typeof header === 'string' ? /^"([\w-]{1,64})"/.exec(header)?.[1] : undefined;
  return name ?? 'sign-in-throttle';
}

const SIGN_IN = new Set(['auth.login', '/trpc/auth.login']);

function authFailureOf(request: FastifyRequest, reply: FastifyReply, procedure: string): AuthFailureReason | undefined {
  if (request.credentialFailure) return request.credentialFailure;
  const status = reply.statusCode;
  if (procedure === 'auth.token') return status === 400 || status === 401 ? 'bad_grant' : undefined;
  if (status !== 401) return undefined;
  return SIGN_IN.has(procedure) || SIGN_IN.has(request.url.split('?')[0] ?? '') ? 'bad_password' : 'no_credentials';
}
