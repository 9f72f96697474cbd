import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

export interface DrainResult {
  /** Client connections still open when the drain ended (0 = every client went away). */
  openConnections: number;
  waitedMs: number;
}

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((done) => {
    app.server.getConnections((error, count) => {
      done(error ? 0 : count);
    });
  });
}

/**
 * The first step of a graceful shutdown, before `app.close()`: `/readyz` turns 503 and every answer
 * carries `Connection: close`, while the listener keeps accepting. A load balancer that polls
 * readiness stops routing here; one that does not (nginx without active checks) sees its keep-alive
 * connections closed cleanly after each answer, so none is cut while it sends a request.
 *
 * Resolves after `maxMs`, or earlier once no connection has been open for `quietMs`: "none open at
 * this instant" is not enough, since under load each answered connection closes and the next opens.
 */
export async function drainConnections(
  app: FastifyInstance,
  options: { maxMs: number; quietMs?: number; pollMs?: number },
): Promise<DrainResult> {
  app.beginDraining();
  const started = Date.now();
  const quietMs = options.quietMs ?? 1_000;
  let lastBusy = started;
  const markBusy = () => {
    lastBusy = Date.now();
  };
  app.server.on('connection', markBusy);
  try {
    let open = await openConnections(app);
    while (Date.now() - started < options.maxMs) {
      if (open > 0) markBusy();
      else if (Date.now() - lastBusy >= quietMs) break;
      await sleep(Math.min(options.pollMs ?? 50, options.maxMs));
      open = await openConnections(app);
    }
    return { openConnections: open, waitedMs: Date.now() - started };
  } finally {
    app.server.off('connection', markBusy);
  }
}
