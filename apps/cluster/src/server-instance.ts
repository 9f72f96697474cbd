import { resolve } from 'node:path';
import { type Child, freePort, recentOutput, startProcess, stopProcess, waitForHttp } from '@bastion/test-support/processes';

export const SERVER_DIR = resolve(import.meta.dirname, '../../server');
/** The bundled server, built by the suite's global setup when stale. */
export const SERVER_ENTRY = 'dist/main.js';

/** What an instance is, across restarts: the same ports and environment each time. */
export interface InstanceSpec {
  name: string;
  port: number;
  metricsPort: number;
  env: Record<string, string>;
}

/** One running apps/server process. */
export interface Instance {
  spec: InstanceSpec;
  /** `http://127.0.0.1:<port>`, bypassing nginx (readiness, direct checks). */
  url: string;
  child: Child;
  /** SIGTERM and wait; resolves with the exit code (0 = a graceful shutdown). */
  terminate(): Promise<number | null>;
  /** Requests this process has answered (its Prometheus counter), optionally only one procedure's. */
  requestCount(procedure?: string): Promise<number>;
}

export async function instanceSpec(name: string, env: Record<string, string>): Promise<InstanceSpec> {
  return { name, port: await freePort(), metricsPort: await freePort(), env };
}

/** Sums `bastion_http_requests_total` samples from Prometheus text, optionally for one procedure. */
export function sumRequests(metricsText: string, procedure?: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('bastion_http_requests_total{')) continue;
    if (procedure !== undefined && !line.includes(`procedure="${procedure}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Starts the bundled apps/server (`node dist/main.js`, as `npm start` does) and resolves once its
 * `/readyz` answers 200.
 */
export async function startInstance(spec: InstanceSpec): Promise<Instance> {
  // Only what the spec says: nothing from the calling shell's DATABASE_URL and friends.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|REDIS_URL|PORT|HOST|BASTION_\w+|LOG_LEVEL)$/.test(key)),
  );
  const child = startProcess(`apps/server ${spec.name}`, [SERVER_ENTRY], {
    cwd: SERVER_DIR,
    env: {
      ...inherited,
      ...spec.env,
      PORT: String(spec.port),
      HOST: '127.0.0.1',
      BASTION_METRICS_PORT: String(spec.metricsPort),
    },
  });
  const url = `http://127.0.0.1:${spec.port}`;
  try {
    await waitForHttp(`${url}/readyz`, child, 120_000);
  } catch (error) {
    await stopProcess(child, { signal: 'SIGKILL' });
    throw error;
  }
  return {
    spec,
    url,
    child,
    terminate: () => stopProcess(child, { graceMs: 30_000 }),
    requestCount: async (procedure) => {
      const response = await fetch(`http://127.0.0.1:${spec.metricsPort}/metrics`);
      if (!response.ok) throw new Error(`${spec.name} /metrics answered ${response.status}:\n${recentOutput(child)}`);
      return sumRequests(await response.text(), procedure);
    },
  };
}
