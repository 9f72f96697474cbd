import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import { IDEMPOTENT_REPLAYED_HEADER } from '@bastion/api';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { securityHeaders } from './security-headers.js';

export interface HardeningOptions {
  /** Origins allowed to call the API from a browser; never `*`. Empty = same-origin only. */
  corsOrigins: readonly string[];
  /** Event-loop delay past which new requests are shed with 503 (ms; 0 = off). */
  maxEventLoopDelayMs: number;
  /** Heap use past which new requests are shed with 503 (bytes; 0 = off). */
  maxHeapUsedBytes: number;
  /** Deepest JSON body accepted; deeper is a 400 before any procedure sees it. */
  maxJsonDepth: number;
}

export const DEFAULT_HARDENING: HardeningOptions = {
  corsOrigins: [],
  maxEventLoopDelayMs: 3_000,
  maxHeapUsedBytes: 0,
  maxJsonDepth: 32,
};

/** Seconds a shed client is asked to wait. */
const SHED_RETRY_AFTER_S = 5;

/**
 * Security headers (helmet), a CORS allow-list, load shedding under event-loop or heap pressure
 * (health routes exempt, recovery automatic), and a JSON parser that refuses absurd nesting.
 */
export async function registerHardening(app: FastifyInstance, options: HardeningOptions) {
  const headers = securityHeaders({
    // Swagger UI styles itself inline; everything else (scripts included) must come from us.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        // Would send plain-HTTP deployments' own assets to https; TLS is the proxy's call.
        upgradeInsecureRequests: null,
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  // onRequest, so every answer has them: errors, 404s and shed requests included.
  app.addHook('onRequest', function applySecurityHeaders(_request, reply, done) {
    reply.headers(headers);
    done();
  });
  // No origin listed means no cross-origin browser access at all: then the plugin is not
  // registered, since its hook would still run on every request only to do nothing (~3 % of a call).
  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...options.corsOrigins],
      credentials: true,
      // Headers a browser client needs to back off and to tell a replayed answer from a fresh one.
      exposedHeaders: ['x-request-id', 'retry-after', 'location', 'www-authenticate', 'ratelimit', 'ratelimit-policy', IDEMPOTENT_REPLAYED_HEADER.toLowerCase()],
    });
  }
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    retryAfter: SHED_RETRY_AFTER_S,
    // Goes through the error handler, which answers with a problem (and keeps Retry-After).
    customError: class OverloadedError extends Error {
      readonly statusCode = 503;
      readonly code = 'BASTION_OVERLOADED';
      constructor() {
        super('The server is overloaded and is shedding load; retry shortly.');
      }
    },
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseJsonBody(_request, body, done) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(Object.assign(new Error('The body is empty but Content-Type says JSON.'), { statusCode: 400 }), undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = parseJsonText(text, options.maxJsonDepth);
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
      return;
    }
    done(null, parsed);
  });
}


/**
 * Parses JSON from a client, as both faces do: a `__proto__` key is never legitimate and is how
 * prototype pollution starts, so secure-json-parse (Fastify's own) looks for it — escaped spellings
 * included — before parsing, rather than a reviver running on every key (4 % of a POST's CPU);
 * `constructor` keys are data here. Nesting deeper than `maxDepth` is refused too.
 * Throws an `Error` whose message says what is wrong with `what`, for the client.
 */
export function parseJsonText(text: string, maxDepth: number, what = 'The body'): unknown {
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'ignore' });
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (depthOf(parsed, maxDepth + 1) > maxDepth) throw new Error(`${what} is nested deeper than ${maxDepth} levels.`);
  return parsed;
}

/** Nesting depth of a parsed JSON value, counting stops once `stopAt` is reached. */
export function depthOf(value: unknown, stopAt: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (stopAt <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, stopAt - 1));
    if (deepest + 1 >= stopAt) break;
  }
  return deepest + 1;
}

/** Route config for routes that must answer even while the server sheds load (health checks). */
export const EXEMPT_FROM_SHEDDING = { pressureHandler: () => undefined };
