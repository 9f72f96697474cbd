import { createServer, type Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from './metrics.js';

/**
 * Serves `GET /metrics` (Prometheus text) on a port of its own, apart from the API: metrics reveal
 * traffic patterns, so main.ts binds it to loopback unless told otherwise. Resolves once listening.
 */
export async function serveMetrics(metrics: Metrics, options: { port: number; host: string; log: FastifyBaseLogger }): Promise<Server> {
  const server = createServer(function metricsEndpoint(request, response) {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => {
        options.log.error({ err: error }, 'metrics collection failed');
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
