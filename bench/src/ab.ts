import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bastionSpec } from './bastion-server.js';
import { readConfig } from './config.js';
import { generateBenchKey, prepareDatabase, recreatePostgresDatabase, resetPostgres } from './fixtures.js';
import { cpuTimeUs, installCleanup, postgresCpuUs, startServer, stopAll, type RunningServer } from './processes.js';
import { markdownTable, median, pairedRatio } from './stats.js';
import { ENDPOINTS, TARGETS } from './targets.js';
import { errorCounts } from './wrk.js';
import { load } from './load.js';

const USAGE = `pnpm bench:ab --base=<git ref> [--endpoint=post|get|list|status] [--layers=bare|deployed] [--rounds=8]
Is this checkout faster than <ref>? Both run side by side on one seeded PostgreSQL database
(migrated by this checkout), loaded in turns, round after round, in alternating order; the answer
is the median of the per-round ratios with its 95 % interval. Env: BENCH_DURATION (4s a turn),
BENCH_WARMUP (3s), BENCH_CONNECTIONS (64), BENCH_ADMIN_DATABASE_URL.`;

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(BENCH_DIR, '..');
const PORTS = { current: 4301, base: 4302 } as const;

const log = (line: string) => process.stderr.write(`${line}\n`);

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      base: { type: 'string' },
      endpoint: { type: 'string', default: 'post' },
      layers: { type: 'string', default: 'bare' },
      rounds: { type: 'string', default: '8' },
      help: { type: 'boolean', default: false },
    },
  });
  const fail = (message: string): never => {
    throw new Error(`${message}\n\n${USAGE}`);
  };
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const endpoint = ENDPOINTS.find((e) => e === values.endpoint) ?? fail(`--endpoint: one of ${ENDPOINTS.join(', ')}`);
  if (values.layers !== 'bare' && values.layers !== 'deployed') fail('--layers: bare or deployed');
  const rounds = Number(values.rounds);
  // Fewer than eight pairs have no 95 % interval for their median.
  if (!Number.isInteger(rounds) || rounds < 8) fail('--rounds: an integer of at least 8');
  return { base: values.base ?? fail('--base=<git ref> is required'), endpoint, bare: values.layers === 'bare', rounds };
}

function git(args: string[], cwd = REPO_ROOT): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** A checkout of `ref` with its dependencies (from pnpm's store: no download when it has them). */
function checkOut(ref: string, dir: string): string {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  git(['worktree', 'add', '--detach', dir, commit]);
  log(`• ${ref} (${commit.slice(0, 10)}) checked out in ${dir}; installing its dependencies`);
  const offline = spawnSync('pnpm', ['install', '--offline', '--frozen-lockfile'], { cwd: dir, encoding: 'utf8' });
  if (offline.status !== 0) {
    const online = spawnSync('pnpm', ['install', '--frozen-lockfile'], { cwd: dir, encoding: 'utf8' });
    if (online.status !== 0) throw new Error(`pnpm install in ${dir} failed:\n${online.stderr.slice(-800)}`);
  }
  return commit;
}

interface Turn {
  callsPerSec: number;
  serverUs: number;
  postgresUs: number;
  errors: number;
}

async function main() {
  const { base, endpoint, bare, rounds } = options();
  const config = readConfig([], { ...process.env, BENCH_DURATION: process.env.BENCH_DURATION ?? '4s', BENCH_CONNECTIONS: process.env.BENCH_CONNECTIONS ?? '64' });
  const connections = config.connections[0] ?? 64;
  installCleanup();
  const work = mkdtempSync(join(tmpdir(), 'bastion-ab-'));
  const baseDir = join(work, 'base');
  try {
    const commit = checkOut(base, baseDir);
    log('• seeding PostgreSQL database bastion_ab');
    const pgUrl = await recreatePostgresDatabase(config.adminDatabaseUrl, 'bastion_ab');
    const benchKey = generateBenchKey();
    const cutoff = await prepareDatabase({ url: pgUrl }, benchKey);
    const id = bare ? 'bastion-pg-bare' : 'bastion-pg';
    const start = (name: keyof typeof PORTS, benchDir: string) =>
      startServer(
        bastionSpec(id, {
          name,
          port: PORTS[name],
          cpu: config.serverCpu,
          entry: { source: join(benchDir, 'servers/bastion.ts'), benchDir },
          pgUrl,
          pgliteDir: '',
          apiKey: benchKey.key,
          profileDir: null,
          extraEnv: {},
        }),
      );
    const servers: Record<keyof typeof PORTS, RunningServer> = { current: await start('current', BENCH_DIR), base: await start('base', join(baseDir, 'bench')) };
    const request = (TARGETS.find((t) => t.id === 'bastion-rest-bare') ?? TARGETS[0])?.requests[endpoint];
    if (!request) throw new Error('no REST target to take the request from');
    log(`• warm-up: ${config.warmupSec}s each; then ${rounds} rounds of ${config.durationSec}s a turn, ${request.method} ${request.path}, ${connections} connections, ${bare ? 'bare' : 'as deployed'}`);
    for (const name of ['current', 'base'] as const) await load(servers[name], request, connections, config.warmupSec, config);
    const turns: Record<keyof typeof PORTS, Turn[]> = { current: [], base: [] };
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? (['current', 'base'] as const) : (['base', 'current'] as const)) {
        const [serverBefore, postgresBefore] = [cpuTimeUs(servers[name].pid), postgresCpuUs()];
        const report = await load(servers[name], request, connections, config.durationSec, config);
        const { errors, timeouts } = errorCounts(report);
        const calls = Math.max(1, report.requests);
        turns[name].push({
          callsPerSec: report.requestsPerSec,
          serverUs: (cpuTimeUs(servers[name].pid) - serverBefore) / calls,
          postgresUs: (postgresCpuUs() - postgresBefore) / calls,
          errors: errors + timeouts,
        });
        log(`  r${round + 1} ${name.padEnd(7)} ${report.requestsPerSec.toFixed(0).padStart(6)} calls/s  server ${turns[name].at(-1)?.serverUs.toFixed(0)} µs  PostgreSQL ${turns[name].at(-1)?.postgresUs.toFixed(0)} µs  errors ${errors + timeouts}`);
      }
      if (endpoint === 'post') await resetPostgres(pgUrl, cutoff);
    }
    console.log(abReport({ base: `${base} (${commit.slice(0, 10)})`, turns }));
  } finally {
    stopAll();
    spawnSync('git', ['worktree', 'remove', '--force', baseDir], { cwd: REPO_ROOT });
    rmSync(work, { recursive: true, force: true });
  }
}

/** The comparison as a table: each checkout's medians, and the paired ratios (this / base). */
export function abReport({ base, turns }: { base: string; turns: Record<'current' | 'base', Turn[]> }): string {
  const metrics = [
    ['calls/s', (t: Turn) => t.callsPerSec],
    ['server CPU µs/call', (t: Turn) => t.serverUs],
    ['PostgreSQL CPU µs/call', (t: Turn) => t.postgresUs],
  ] as const;
  const rows = metrics.map(([label, of]) => {
    const paired = pairedRatio(turns.current.map(of), turns.base.map(of));
    const interval = Number.isNaN(paired.low) ? 'n/a' : `${paired.low.toFixed(3)}–${paired.high.toFixed(3)}`;
    return [label, median(turns.current.map(of)).toFixed(0), median(turns.base.map(of)).toFixed(0), paired.median.toFixed(3), interval];
  });
  const errors = [...turns.current, ...turns.base].reduce((sum, t) => sum + t.errors, 0);
  return `${markdownTable(['', 'this checkout', base, 'ratio (median of rounds)', '95 % interval'], rows, [false, true, true, true, true])}\n\nerrors and timeouts: ${errors}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
