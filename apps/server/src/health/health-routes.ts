import type { DatabaseHandle } from '@bastion/db';
import type { FastifyInstance } from 'fastify';
import { EXEMPT_FROM_SHEDDING } from '../hardening/hardening.js';

const READY_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process is up. `/readyz`: the database answers within 2 s and the server is
 * not shutting down; 503 otherwise, so a load balancer stops sending traffic.
 */
export function registerHealthRoutes(app: FastifyInstance, database: DatabaseHandle, isShuttingDown: () => boolean) {
  const config = EXEMPT_FROM_SHEDDING;
  app.get('/healthz', { config }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config }, async (request, reply) => {
    if (isShuttingDown()) return reply.code(503).send({ status: 'shutting_down' });
    try {
      await withTimeout(database.ping(), READY_TIMEOUT_MS);
      return { status: 'ready', database: database.kind };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed: database unreachable');
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database: database.kind });
    }
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
