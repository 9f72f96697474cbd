import { parseDuration } from './wrk.js';

/** The harness's settings: flags from argv, knobs from the environment (read here and nowhere else). */
export interface BenchConfig {
  quick: boolean;
  /** Write docs/benchmarks.md from this run. */
  write: boolean;
  durationSec: number;
  warmupSec: number;
  /** Unmeasured seconds on the same server and load just before every measured cell. */
  cellWarmupSec: number;
  rounds: number;
  connections: number[];
  /** Seconds of load before the "RSS after sustained load" reading; 0 skips it. */
  soakSec: number;
  /** How many cold starts to time (median reported). */
  coldStarts: number;
  /** Only these targets (ids), or all. */
  only: string[] | null;
  /** Only these endpoints (ids), or all. */
  endpoints: string[] | null;
  /** A PostgreSQL URL with rights to create databases; the harness makes `bastion_bench` on it. */
  adminDatabaseUrl: string;
  python: string;
  /** Skip `pnpm --filter @bastion/server build` (use the dist/ that is there). */
  noBuild: boolean;
  serverCpu: string;
  loadCpu: string;
  /** Where Bastion's servers write V8 CPU profiles (`--cpu-prof`), or null for none. */
  profileDir: string | null;
}

const USAGE = `pnpm bench [--quick] [--write] [--no-build] [--only=target,…] [--endpoints=get,post,list,status]

Env: BENCH_DURATION (10s)  BENCH_WARMUP (3s)  BENCH_CELL_WARMUP (1s)  BENCH_ROUNDS (3)  BENCH_CONNECTIONS (64,256)
     BENCH_SOAK (60s; 0 skips)  BENCH_COLD_STARTS (5)
     BENCH_ADMIN_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)  BENCH_PYTHON (/usr/bin/python3)
     BENCH_PROFILE_DIR (unset: Bastion's servers write a .cpuprofile there when they stop)`;

function list(value: string | undefined): string[] | null {
  if (!value) return null;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
}

/** Parses argv and env; `--quick` shrinks every default to a smoke run (env still wins). */
export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--') continue; // what `pnpm bench -- --quick` passes through
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`Unknown argument "${arg}"\n\n${USAGE}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  const known = new Set(['quick', 'write', 'no-build', 'only', 'endpoints', 'help']);
  for (const key of flags.keys()) if (!known.has(key)) throw new Error(`Unknown flag --${key}\n\n${USAGE}`);
  if (flags.has('help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = flags.has('quick');
  const connections = (env.BENCH_CONNECTIONS ?? (quick ? '64' : '64,256')).split(',').map(Number);
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('BENCH_CONNECTIONS: comma-separated positive integers');
  const rounds = Number(env.BENCH_ROUNDS ?? (quick ? 1 : 3));
  const coldStarts = Number(env.BENCH_COLD_STARTS ?? (quick ? 1 : 5));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_ROUNDS: a positive integer');
  if (!Number.isInteger(coldStarts) || coldStarts < 1) throw new Error('BENCH_COLD_STARTS: a positive integer');
  return {
    quick,
    write: flags.has('write'),
    durationSec: parseDuration(env.BENCH_DURATION ?? (quick ? '2s' : '10s')),
    warmupSec: parseDuration(env.BENCH_WARMUP ?? (quick ? '1s' : '3s')),
    cellWarmupSec: parseDuration(env.BENCH_CELL_WARMUP ?? '1s'),
    rounds,
    connections,
    soakSec: parseDuration(env.BENCH_SOAK ?? (quick ? '0' : '60s')),
    coldStarts,
    only: list(flags.get('only')),
    endpoints: list(flags.get('endpoints')),
    adminDatabaseUrl: env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    python: env.BENCH_PYTHON ?? '/usr/bin/python3',
    noBuild: flags.has('no-build'),
    serverCpu: '0',
    loadCpu: '1',
    profileDir: env.BENCH_PROFILE_DIR ?? null,
  };
}
