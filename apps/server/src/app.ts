import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import { appRouter, DomainProblem, type Context } from '@bastion/api';
import { createAuthRuntime, type AuthOptions, type AuthRuntime } from '@bastion/api/auth';
import { REST_BASE_PATH } from '@bastion/api/openapi';
import type { DatabaseHandle } from '@bastion/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAuthRoutes } from './auth/auth-routes.js';
import { resolvePrincipal } from './auth/resolve-principal.js';
import { sessionCookiesFor, type CookieOptions } from './auth/session-cookies.js';
import { registerDocsRoutes } from './docs/docs-routes.js';
import { DEFAULT_HARDENING, registerHardening, type HardeningOptions } from './hardening/hardening.js';
import { registerHealthRoutes } from './health/health-routes.js';
import { createMetrics, registerMetricsHooks, type Metrics } from './metrics/metrics.js';
import { sendProblem, type ProblemInit } from './problem.js';
import { registerRestRoutes } from './rest/rest-routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The procedure (or named endpoint) a route serves, for logs and metrics. */
    procedurePath?: string;
  }
}

export interface BuildAppOptions {
  database: DatabaseHandle;
  /** pino options, `false` for silence (tests). Default: info-level JSON lines. */
  logger?: FastifyServerOptions['logger'];
  /** The clock procedures see; tests pin it. */
  now?: () => Date;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** A request still unanswered after this long gets a 503 (ms; default 15 s). */
  requestTimeoutMs?: number;
  hardening?: Partial<HardeningOptions>;
  /** Where request metrics go; main.ts serves them on their own port. Default: a fresh registry. */
  metrics?: Metrics;
  /** Auth settings, or a runtime already built (tests share one); defaults otherwise. */
  auth?: AuthOptions | AuthRuntime;
  /** Session cookie attributes (default: Secure except on localhost). */
  cookies?: CookieOptions;
}

/** Credentials never reach a log line, whatever logger options the caller passes. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (typeof logger !== 'object') return logger;
  const given = Array.isArray(logger.redact) ? logger.redact : (logger.redact?.paths ?? []);
  return { ...logger, redact: [...new Set([...given, ...REDACT])] };
}

function isAuthRuntime(value: AuthOptions | AuthRuntime | undefined): value is AuthRuntime {
  return value !== undefined && 'keys' in value;
}

/** Only ids a client could not use to inject into logs are echoed back. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * Builds the Fastify app: tRPC at `/trpc`, REST at `/api/v1` compiled from the procedures'
 * OpenAPI meta, `/openapi.json`, Swagger UI at `/docs`, `/healthz` and `/readyz`.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { database } = options;
  const now = options.now ?? (() => new Date());
  let shuttingDown = false;

  const app = Fastify({
    logger: withRedaction(options.logger ?? { level: 'info' }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    handlerTimeout: options.requestTimeoutMs ?? 15_000,
    logController: new RequestLogController(),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerMetricsHooks(app, options.metrics ?? createMetrics({ defaultMetrics: false }));
  app.addHook('onClose', async () => {
    shuttingDown = true;
  });

  // Before any route: Fastify binds a route to the error handler in place when it is added.
  app.setErrorHandler(function problemErrorHandler(error: FastifyError, request, reply) {
    const problem = problemFromFastifyError(error);
    if (problem.type === 'internal-error') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ problem: problem.type, detail: problem.detail }, 'request rejected');
    if (problem.type === 'service-unavailable') reply.header('retry-after', '5');
    return sendProblem(request, reply, problem);
  });

  // Only JSON bodies are accepted on the REST face; text/plain would otherwise reach a procedure.
  app.removeContentTypeParser('text/plain');
  await registerHardening(app, { ...DEFAULT_HARDENING, ...options.hardening });

  const auth = isAuthRuntime(options.auth) ? options.auth : await createAuthRuntime(database.db, options.auth);
  await app.register(cookie);

  // One principal resolution per request, for both faces: REST routes call the same procedures.
  const createContext = async (request: FastifyRequest, reply: FastifyReply): Promise<Context> => ({
    db: database.db,
    now,
    requestId: request.id,
    ip: request.ip,
    auth,
    sessionCookies: sessionCookiesFor(request, reply, options.cookies),
    ...(await resolvePrincipal(request, { db: database.db, now, auth })),
  });

  const operations = registerRestRoutes(app, { createContext });
  await registerAuthRoutes(app, { db: database.db, now, auth });
  await registerDocsRoutes(app);
  registerHealthRoutes(app, database, () => shuttingDown);

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createContext(req, res),
      // WWW-Authenticate on 401/403 and Retry-After on 429, as on the REST face.
      responseMeta: ({ errors }) => {
        const headers: Record<string, string> = {};
        for (const error of errors) {
          if (error.cause instanceof DomainProblem) Object.assign(headers, error.cause.headers);
        }
        return { headers };
      },
      onError: ({ error, path, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error, procedure: path }, 'procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'],
  });

  // Which methods each REST path answers, so a wrong method gets 405 + Allow rather than 404.
  const allowed = operations.map((op) => ({
    pattern: new RegExp(`^${REST_BASE_PATH}${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
    method: op.method,
  }));
  app.setNotFoundHandler(function problemNotFound(request, reply) {
    const path = request.url.split('?')[0] ?? '';
    const methods = [...new Set(allowed.filter((a) => a.pattern.test(path)).map((a) => a.method))];
    if (methods.length > 0) {
      reply.header('allow', methods.join(', '));
      return sendProblem(request, reply, {
        type: 'method-not-allowed',
        detail: `${request.method} is not allowed on ${path}; use ${methods.join(' or ')}.`,
      });
    }
    return sendProblem(request, reply, { type: 'not-found', detail: `No route ${request.method} ${path}.` });
  });

  return app;
}

/** One log line per request (Fastify's default is two), with the procedure it reached. */
class RequestLogController extends LogController {
  override incomingRequest() {}
  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        procedure: request.routeOptions.config.procedurePath,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  }
}

function problemFromFastifyError(error: FastifyError): ProblemInit {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { type: 'unsupported-media-type', detail: 'Send the body as JSON with `Content-Type: application/json`.' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { type: 'payload-too-large', detail: error.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { type: 'bad-request', detail: 'The body is empty but Content-Type says JSON.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { type: 'bad-request', detail: `The body is not valid JSON: ${error.message}` };
    case 'BASTION_OVERLOADED':
      return { type: 'service-unavailable', detail: error.message };
    case 'FST_ERR_HANDLER_TIMEOUT':
      return { type: 'service-unavailable', detail: 'The request took too long and was abandoned; retry shortly.' };
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status === 400) return { type: 'bad-request', detail: error.message };
  if (status === 413) return { type: 'payload-too-large', detail: error.message };
  if (status === 415) return { type: 'unsupported-media-type', detail: error.message };
  if (status < 500) return { type: 'bad-request', detail: error.message, status };
  return { type: 'internal-error', detail: 'An unexpected error occurred; the request id is in the server log.' };
}
