import type { DatabaseHandle } from '@bastion/db';
import type { FastifyInstance } from 'fastify';
import { EXEMPT_FROM_SHEDDING } from '../hardening/hardening.js';
import { pingFailure } from './ping.js';

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
    const failure = await pingFailure(database, READY_TIMEOUT_MS);
    if (failure === undefined) return { status: 'ready', database: database.kind };
    request.log.warn({ err: failure }, 'readiness check failed: database unreachable');
    return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database: database.kind });
  });
}
