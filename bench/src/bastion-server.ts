import type { ServerSpec } from './processes.js';

export type BastionServerId = 'bastion-pg' | 'bastion-pg-bare' | 'bastion-pglite';

export interface BastionSpecOptions {
  name: string;
  port: number;
  cpu: string;
  /** The built server (`apps/server/dist/main.js`), or a checkout's `bench/servers/bastion.ts` run through tsx. */
  entry: { dist: string; repoRoot: string } | { source: string; benchDir: string };
  pgUrl: string;
  pgliteDir: string;
  apiKey: string;
  profileDir: string | null;
  extraEnv: Record<string, string | undefined>;
}

/**
 * How the harness starts a Bastion server: as deployed (`bastion-pg`, `bastion-pglite`) or bare
 * (`bastion-pg-bare`: no auth, controls or metrics). One place, so `pnpm bench` and
 * `pnpm bench:ab` (which starts two checkouts side by side) start them alike.
 */
export function bastionSpec(id: BastionServerId, o: BastionSpecOptions): ServerSpec {
  return {
    name: o.name,
    port: o.port,
    cpu: o.cpu,
    // Every endpoint but the status page needs credentials: measure authorised calls, not 401s.
    headers: { 'X-API-Key': o.apiKey },
    command: process.execPath,
    args: [
      ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []),
      ...('dist' in o.entry ? [o.entry.dist] : ['--import', 'tsx', o.entry.source]),
    ],
    cwd: 'dist' in o.entry ? o.entry.repoRoot : o.entry.benchDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(o.port),
      HOST: '127.0.0.1',
      BASTION_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // The bench floods from one address with one key: limits far above any run's load, so every
      // request is counted (the limiter's cost is in the figures) and none is refused.
      BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000000',
      BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: '1000000000',
      ...(id === 'bastion-pglite' ? { BASTION_DATA_DIR: o.pgliteDir } : { DATABASE_URL: o.pgUrl }),
      ...(id === 'bastion-pg-bare' ? { BENCH_WITHOUT: 'auth,controls,metrics', BENCH_API_KEY: o.apiKey } : {}),
      ...o.extraEnv,
    },
  };
}
