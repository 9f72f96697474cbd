import type { FastifyInstance, InjectOptions } from 'fastify';

export interface InjectLoad {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Calls kept in flight, like the connections of a socket load. */
  concurrency: number;
  durationSec: number;
}

export interface InjectFigures {
  calls: number;
  /** This process's user + system CPU over the load, in µs (`process.cpuUsage`, µs resolution). */
  cpuUs: number;
  /** Answers with a status other than 200, by status: a load that measures errors measures nothing. */
  failures: Record<string, number>;
}

/**
 * Calls a route through Fastify's `inject` (the whole request lifecycle, no socket) with
 * `concurrency` calls in flight for `durationSec`, and counts the process's CPU. Over loopback
 * sockets a layer also changes *when* answers are written: a route that answers without awaiting
 * anything writes each response on its own, one syscall and one wake-up of the load generator
 * per answer, where an awaiting one writes them in bursts; that cost more than a whole layer did,
 * so a layer's price is read here, where both sides pay the same for getting calls in and out.
 */
export async function injectLoad(app: FastifyInstance, load: InjectLoad): Promise<InjectFigures> {
  const request: InjectOptions = { method: load.method, url: load.path, ...(load.headers ? { headers: load.headers } : {}) };
  const failures: Record<string, number> = {};
  let calls = 0;
  const deadline = performance.now() + load.durationSec * 1000;
  const cpuBefore = process.cpuUsage();
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await app.inject(request);
      calls++;
      if (response.statusCode !== 200) failures[response.statusCode] = (failures[response.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, cpuUs: cpu.user + cpu.system, failures };
}
