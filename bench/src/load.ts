import type { BenchConfig } from './config.js';
import { settle, type RunningServer } from './processes.js';
import type { RequestSpec } from './targets.js';
import { runWrk } from './wrk.js';

/**
 * One wrk run of `request` against `server` (with the server's credentials), once the server's
 * CPU has settled from whatever ran before; paced when `ratePerSec` is given.
 */
export async function load(server: RunningServer, request: RequestSpec, connections: number, durationSec: number, config: BenchConfig, ratePerSec?: number) {
  await settle(server.pid);
  return runWrk({
    url: `http://127.0.0.1:${server.spec.port}${request.path}`,
    method: request.method,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(server.spec.headers ? { headers: server.spec.headers } : {}),
    connections,
    durationSec,
    cpu: config.loadCpu,
    ...(ratePerSec === undefined ? {} : { ratePerSec }),
  });
}
