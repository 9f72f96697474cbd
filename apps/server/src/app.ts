import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import cookie from '@fastify/cookie';
import { appRouter, deleteExpiredIdempotencyKeys, DomainProblem } from '@bastion/api';
import { createAuthRuntime, type AuthOptions, type AuthRuntime, type Principal } from '@bastion/api/auth';
import { ControlsRuntime, defaultRateLimits, procedureCatalogue } from '@bastion/api/controls';
import { REST_BASE_PATH } from '@bastion/api/openapi';
import { TrafficRecorder } from '@bastion/api/traffic';
import type { DatabaseHandle } from '@bastion/db';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAuthRoutes } from './auth/auth-routes.js';
import { principalLogField } from './auth/request-principal.js';
import type { CookieOptions } from './auth/session-cookies.js';
import { createContextFactory, responseHeadersOf } from './context.js';
import { registerDocsRoutes } from './docs/docs-routes.js';
import { problemClientErrorHandler } from './hardening/client-errors.js';
import { DEFAULT_HARDENING, parseJsonText, registerHardening, type HardeningOptions } from './hardening/hardening.js';
import { registerRequestDeadline } from './hardening/request-deadline.js';
import { registerHealthRoutes } from './health/health-routes.js';
import { createMetrics, registerMetricsHooks, type Metrics } from './metrics/metrics.js';
import { databaseUnreachable, problemForFailedCall, sendProblem, type ProblemInit } from './problem.js';
import { registerRestRoutes } from './rest/rest-routes.js';
import { trpcNativePlugin } from './trpc-native/trpc-native.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The procedure (or named endpoint) a route serves, for logs and metrics. */
    procedurePath?: string;
  }
  interface FastifyInstance {
    /**
     * Starts the drain before a shutdown: `/readyz` answers 503 and every answer (in flight or new)
     * carries `Connection: close`, so a proxy stops reusing its connections while nothing is refused.
     */
    beginDraining(): void;
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
  /**
   * Largest request head (request line + headers) accepted, in bytes (default 16 KiB, Node's own);
   * a bigger one is answered 431 before any parsing or hook.
   */
  maxHeaderBytes?: number;
  /** A request still unanswered after this long gets a 503 (ms; default 15 s). */
  requestTimeoutMs?: number;
  hardening?: Partial<HardeningOptions>;
  /** Where request metrics go; main.ts serves them on their own port. Default: a fresh registry. */
  metrics?: Metrics;
  /**
   * Where per-procedure traffic goes for the Traffic page (written to the database every 2 s,
   * summed over instances). Default: a recorder for this process; `false` to record nothing.
   */
  traffic?: TrafficRecorder | false;
  /** Auth settings, or a runtime already built (tests share one); defaults otherwise. */
  auth?: AuthOptions | AuthRuntime;
  /** Session cookie attributes (default: Secure except on localhost). */
  cookies?: CookieOptions;
  /** Most calls in one tRPC batch (default 20); a bigger batch is answered 400. */
  trpcMaxBatchSize?: number;
  /** Runtime-controls settings, or a runtime already built; defaults otherwise (see ControlsSettings). */
  controls?: ControlsSettings | ControlsRuntime;
  /**
   * The proxies whose `X-Forwarded-For` is believed (Fastify `trustProxy`: addresses, CIDRs, or
   * `loopback`). Default: none, so a client cannot pick the address it is rate-limited and blocked by.
   */
  trustProxy?: string[];
  /**
   * For the benchmark's per-middleware figures only (`bench/servers/bastion.ts`), never for serving:
   * leaves a layer out so its cost shows as the difference. `auth` runs every call as the given
   * principal without looking at credentials; `controls` drops kill switches, blocks and rate
   * limits; `metrics` drops the request metrics and the traffic recorder.
   */
  benchmarkWithout?: { auth?: Principal; controls?: true; metrics?: true };
}

export const DEFAULT_TRPC_MAX_BATCH_SIZE = 20;
/** Node's default, stated so a Node upgrade cannot change what the API accepts. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/**
 * Idle keep-alive connections are closed after 72 s: longer than the 60 s a proxy in front
 * (nginx's `keepalive_timeout` and AWS ALB's idle timeout are both 60 s) keeps its upstream
 * connections, so the proxy always closes first and never sends a request down a socket we are
 * closing (which it would answer 502).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Expired idempotency keys are deleted this often (a stale key is also replaced on its next use). */
const IDEMPOTENCY_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

export interface ControlsSettings {
  /** Start-up rate limits per minute (0 = unlimited); operators change them live. Defaults 300 and 1200. */
  anonymousPerMinute?: number;
  principalPerMinute?: number;
  /** Share changes (pub/sub) and rate-limit counts through Redis. */
  redisUrl?: string | undefined;
  /** Prefix of Redis keys and the channel (default `bastion:`). */
  redisPrefix?: string;
  /** How often each instance checks the stored controls for a change it was not told about (ms, default 1000). */
  pollIntervalMs?: number;
}

/** Anonymous callers: a few hundred requests a minute per address; signed-in callers: more. */
export const DEFAULT_RATE_LIMITS = { anonymousPerMinute: 300, principalPerMinute: 1200 } as const;

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
    http: { maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES },
    clientErrorHandler: problemClientErrorHandler,
    logController: new RequestLogController(),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Shutdown (after the drain): a request on a connection the listener accepted before it closed
    // gets its answer. Fastify's default was a plain-JSON 503 for a request nginx had already sent
    // there, and nginx never retries a POST that reached an instance. Idle connections still close.
    return503OnClosing: false,
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? options.trustProxy : false,
  });
  // Node's own guidance: the headers timeout above the keep-alive timeout, so a request starting
  // on a connection just before it idles out is not cut off.
  app.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  registerRequestDeadline(app, options.requestTimeoutMs ?? 15_000);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('credentialFailure', undefined);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const without = options.benchmarkWithout ?? {};
  const traffic =
    without.metrics ? false : options.traffic ??
    new TrafficRecorder({
      db: database.db,
      instance: `${hostname()}:${String(process.pid)}:${randomUUID().slice(0, 8)}`,
      now,
      onError: (error) => {
        app.log.warn({ err: error }, 'could not write traffic counts; keeping them for the next try');
      },
    });
  if (traffic && options.traffic === undefined) traffic.start();
  if (!without.metrics) registerMetricsHooks(app, options.metrics ?? createMetrics({ defaultMetrics: false }), traffic || undefined);
  app.decorate('beginDraining', function beginDraining() {
    shuttingDown = true;
  });
  app.addHook('onClose', async () => {
    shuttingDown = true;
    if (traffic && options.traffic === undefined) await traffic.stop();
  });
  // onSend rather than onRequest: a request that began before the drain must close its connection too.
  app.addHook('onSend', async function closeConnectionsWhileDraining(_request, reply) {
    if (shuttingDown) reply.header('connection', 'close');
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
  const hardening = { ...DEFAULT_HARDENING, ...options.hardening };
  await registerHardening(app, hardening);

  const auth = isAuthRuntime(options.auth) ? options.auth : await createAuthRuntime(database.db, options.auth);
  const controls = await controlsRuntimeFor(options, app);
  // With Redis, sign-in attempts count across instances, on the controls' connection.
  if (controls.redisClient) auth.loginThrottle.shareThrough(controls.redisClient, controls.redisPrefix);
  await app.register(cookie);

  // One principal resolution per request, for both faces: REST routes call the same procedures.
  const createContext = createContextFactory({
    db: database.db,
    now,
    auth,
    cookies: options.cookies,
    controls: without.controls ? undefined : controls,
    fixedPrincipal: without.auth,
  });

  const operations = registerRestRoutes(app, { createContext, database });
  await registerAuthRoutes(app, { db: database.db, now, auth, controls, responseHeaders: responseHeadersOf });
  await registerDocsRoutes(app);
  registerHealthRoutes(app, database, () => shuttingDown);

  await app.register(trpcNativePlugin<typeof appRouter>, {
    prefix: '/trpc',
    router: appRouter,
    createContext: ({ req, res }) => createContext(req, res),
    maxBatchSize: options.trpcMaxBatchSize ?? DEFAULT_TRPC_MAX_BATCH_SIZE,
    // The same refusals as REST bodies: no `__proto__` keys, no absurd nesting.
    parseJson: (text) => parseJsonText(text, hardening.maxJsonDepth, 'The input'),
    // WWW-Authenticate on 401/403 and Retry-After on 429, as on the REST face.
    responseMeta: ({ errors }) => {
      const headers: Record<string, string> = {};
      for (const error of errors) {
        if (error.cause instanceof DomainProblem) Object.assign(headers, error.cause.headers);
      }
      return { headers };
    },
    // The same answer as the REST face when the database is down: 503 with Retry-After, not 500.
    reviseError: async ({ error, path, req }) => {
      if (error.code !== 'INTERNAL_SERVER_ERROR') return error;
      const problem = await problemForFailedCall(error, database);
      if (problem.type !== 'service-unavailable') return error;
      req.log.error({ err: error.cause ?? error, procedure: path }, 'procedure failed: the database is unreachable');
      return databaseUnreachable();
    },
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error, procedure: path }, 'procedure failed');
    },
  });

  const cleanup = setInterval(() => {
    deleteExpiredIdempotencyKeys({ db: database.db, now }).then(
      (deleted) => {
        if (deleted > 0) app.log.info({ deleted }, 'deleted expired idempotency keys');
      },
      (err: unknown) => {
        app.log.warn({ err }, 'could not delete expired idempotency keys');
      },
    );
  }, IDEMPOTENCY_CLEANUP_INTERVAL_MS).unref();
  app.addHook('onClose', async () => {
    clearInterval(cleanup);
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

/** The runtime the caller passed, or one built here and closed with the app. */
async function controlsRuntimeFor(options: BuildAppOptions, app: FastifyInstance): Promise<ControlsRuntime> {
  if (options.controls instanceof ControlsRuntime) return options.controls;
  const settings = options.controls ?? {};
  const runtime = await ControlsRuntime.start({
    db: options.database.db,
    catalogue: procedureCatalogue(appRouter),
    defaults: defaultRateLimits({
      anonymousPerMinute: settings.anonymousPerMinute ?? DEFAULT_RATE_LIMITS.anonymousPerMinute,
      principalPerMinute: settings.principalPerMinute ?? DEFAULT_RATE_LIMITS.principalPerMinute,
    }),
    redisUrl: settings.redisUrl,
    redisPrefix: settings.redisPrefix,
    pollIntervalMs: settings.pollIntervalMs,
    log: app.log,
  });
  app.addHook('onClose', async () => {
    await runtime.close();
  });
  return runtime;
}

/**
 * One log line per request (Fastify's default is two): `reqId` (from the child logger), who called
 * (`principal`: `apiKey:<id>`, `user:<id>` or `anonymous`), the procedure it reached, status and
 * duration. Credentials never appear: only ids, and the headers are not logged (and redacted if
 * a caller's serializer adds them).
 */
class RequestLogController extends LogController {
  override incomingRequest() {}
  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        principal: principalLogField(request),
        procedure: procedureOf(request),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  }
}

/** The procedure path for the log: a REST route's, else the tRPC path(s) in the URL, else the route. */
function procedureOf(request: FastifyRequest): string | undefined {
  const configured = request.routeOptions.config.procedurePath;
  if (configured) return configured;
  const path = request.url.split('?')[0] ?? '';
  // Not URL-decoded: a malformed escape must not throw in the logger (a batch shows commas as %2C).
  return path.startsWith('/trpc/') ? path.slice('/trpc/'.length) : request.routeOptions.url;
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
    case 'BASTION_REQUEST_TIMEOUT':
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
