import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

/** Per-app Prometheus metrics (a registry of its own, so two apps in one process never mix). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'procedure' | 'method' | 'status'>;
  duration: Histogram<'procedure' | 'method'>;
}

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
  };
}

/**
 * Counts and times every answered request. Labels use the procedure or route *template*, never the
 * raw URL, so a scan of random paths cannot explode the number of series.
 */
export function registerMetricsHooks(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', async function recordRequestMetrics(request, reply) {
    const procedure = request.routeOptions.config.procedurePath ?? request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.requests.inc({ procedure, method, status: String(reply.statusCode) });
    metrics.duration.observe({ procedure, method }, reply.elapsedTime / 1000);
  });
}
