import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig, type BenchConfig } from './config.js';
import { generateBenchKey, prepareDatabase, recreatePostgresDatabase, resetPostgres } from './fixtures.js';
import { installCleanup, cpuTimeUs, rssMb, settle, startServer, stopAll, stopServer, type RunningServer, type ServerSpec } from './processes.js';
import { collectMachineInfo, renderReport, type ColdStart, type MiddlewareCost, type Soak } from './report.js';
import { summarisePaced, type PacedSample } from './paced.js';
import { FASTAPI, median, medianInterval, summarise, type Sample } from './stats.js';
import { ENDPOINTS, TARGETS, type EndpointId, type RequestSpec, type ServerId, type Target } from './targets.js';
import { errorCounts } from './wrk.js';
import { load } from './load.js';
import { requestInjectLoad } from './inject-control.js';
import { bastionSpec } from './bastion-server.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(BENCH_DIR, '..');
const SERVER_MAIN = join(REPO_ROOT, 'apps/server/dist/main.js');
const BASELINES = join(BENCH_DIR, 'baselines');
/** Bastion's app with both tRPC handlers mounted (see the file); the table's Bastion rows use it. */
const BASTION_ENTRY = join(BENCH_DIR, 'servers/bastion.ts');
const PORTS: Record<ServerId, number> = {
  'bastion-pg': 4201,
  'bastion-pglite': 4202,
  fastify: 4203,
  'node-http': 4204,
  fastapi: 4205,
  'bastion-pg-bare': 4207,
};
/** The middleware pairs take this port and the next (4207 is the bare server's). */
const MIDDLEWARE_PORT = 4208;
/** A middleware server's in-process load listener (BENCH_CONTROL_PORT) is its port plus this. */
const CONTROL_PORT_OFFSET = 100;

/**
 * Layers measured as server CPU µs per `GET /api/v1/auth/me` (a procedure that reads no table:
 * the principal comes from the context) with the layer on minus with it off, in-process. The bench server
 * leaves layers out through `BENCH_WITHOUT` (buildApp's `benchmarkWithout`); rate limits are off
 * at 0 a minute. Each pair differs in that one layer only.
 */
const MIDDLEWARE_TOGGLES: { name: string; on: Env; off: Env }[] = [
  { name: 'auth (API key: hash + one indexed lookup with its owner)', on: {}, off: { BENCH_WITHOUT: 'auth' } },
  {
    name: 'rate limit (per-key budget, in memory)',
    on: {},
    off: { BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: '0' },
  },
  {
    name: 'controls (block list, kill switches, read-only; limits off in both)',
    on: { BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: '0' },
    off: { BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: '0', BENCH_WITHOUT: 'controls' },
  },
  { name: 'metrics (prom-client histogram + Traffic page counters)', on: {}, off: { BENCH_WITHOUT: 'metrics' } },
  { name: 'request logging (pino JSON line per request, LOG_LEVEL=info)', on: { LOG_LEVEL: 'info' }, off: { LOG_LEVEL: 'warn' } },
];
const MIDDLEWARE_PATH = '/api/v1/auth/me';

type Env = Record<string, string | undefined>;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  installCleanup();
  const config = readConfig(process.argv.slice(2));
  const commandLine = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim();
  const builtServer = preflight(config);
  const loadBefore = loadavg();
  const targets = TARGETS.filter((t) => !config.only || config.only.includes(t.id));
  const endpoints = ENDPOINTS.filter((e) => !config.endpoints || config.endpoints.includes(e));
  const servers = [...new Set(targets.map((t) => t.server))];

  const work = mkdtempSync(join(tmpdir(), 'bastion-bench-'));
  try {
    log('• seeding PostgreSQL database bastion_bench and a PGlite data directory');
    const pgUrl = await recreatePostgresDatabase(config.adminDatabaseUrl, 'bastion_bench');
    const benchKey = generateBenchKey();
    const cutoff = await prepareDatabase({ url: pgUrl }, benchKey);
    const pglitePristine = join(work, 'pglite-seed');
    await prepareDatabase({ dataDir: pglitePristine }, benchKey);
    let pgliteCopies = 0;
    const freshPgliteDir = () => {
      const dir = join(work, `pglite-${pgliteCopies++}`);
      cpSync(pglitePristine, dir, { recursive: true });
      return dir;
    };
    const spec = (id: ServerId, extraEnv: Env = {}, port = PORTS[id], fromDist = false): ServerSpec =>
      serverSpec(id, { config, port, pgUrl, pgliteDir: id === 'bastion-pglite' ? freshPgliteDir() : '', extraEnv, fromDist, apiKey: benchKey.key });

    // Cold starts use the production build when there is one: the tsx entry transpiles on start.
    const cold = await measureColdStarts(config, servers, (id, fromDist) => spec(id, {}, PORTS[id], fromDist), builtServer);
    const { coldStarts } = cold;

    log(`• starting ${servers.join(', ')} on cpu ${config.serverCpu}; wrk on cpu ${config.loadCpu}`);
    const running = new Map<ServerId, RunningServer>();
    for (const id of servers) running.set(id, await startServer(spec(id)));
    const serverOf = (target: Target) => {
      const server = running.get(target.server);
      if (!server) throw new Error(`${target.server} is not running`);
      return server;
    };

    // PGlite skips the POST warm-up: its rows could only be removed by a restart, which would
    // throw the warm-up away. Its first POST cell still follows three warmed GET endpoints.
    const warmUp = async (subset: Target[]) => {
      for (const target of subset) {
        for (const endpoint of endpoints) {
          if (endpoint === 'post' && target.server === 'bastion-pglite') continue;
          await load(serverOf(target), target.requests[endpoint], 64, config.warmupSec, config);
        }
      }
    };
    log(`• warm-up: ${config.warmupSec}s per target and endpoint`);
    await warmUp(targets);
    await resetPostgres(pgUrl, cutoff);

    // Every POST cell starts from the same tables: no target writes into another's rows.
    const afterCell = async (endpoint: EndpointId) => {
      if (endpoint === 'post') await resetPostgres(pgUrl, cutoff);
    };
    const samples: Sample[] = [];
    for (let round = 0; round < config.rounds; round++) {
      for (const endpoint of endpoints) {
        for (const connections of config.connections) {
          for (const target of rotated(targets, round)) {
            const sample = await measure(serverOf(target), target, endpoint, connections, round, config);
            await afterCell(endpoint);
            samples.push(sample);
            log(
              `  r${round + 1} ${endpoint.padEnd(6)} c${String(connections).padEnd(3)} ${target.id.padEnd(20)} ` +
                `${sample.callsPerSec.toFixed(0).padStart(7)} calls/s  p99 ${sample.p99Ms.toFixed(1).padStart(6)} ms  ` +
                `${sample.cpuUsPerRequest.toFixed(0).padStart(5)} µs/req  errors ${sample.errors}`,
            );
          }
        }
      }
      if (endpoints.includes('post')) {
        const pglite = running.get('bastion-pglite');
        if (pglite && round < config.rounds - 1) {
          log('• restarting PGlite on a fresh copy: its POSTs\' rows cannot be deleted from outside');
          await stopServer(pglite);
          running.set('bastion-pglite', await startServer(spec('bastion-pglite')));
          await warmUp(targets.filter((t) => t.server === 'bastion-pglite'));
        }
      }
    }

    const paced = await measurePaced(samples, targets, endpoints, serverOf, config, afterCell);

    const soaks: Soak[] = [];
    if (config.soakSec > 0) {
      for (const id of ['bastion-pg', 'bastion-pglite'] as const) {
        const server = running.get(id);
        const target = targets.find((t) => t.server === id && t.id.startsWith('bastion-rest'));
        if (!server || !target) continue;
        log(`• soak: ${config.soakSec}s of ${target.id} GET at 64 connections`);
        const before = rssMb(server.pid);
        const report = await load(server, target.requests.get, 64, config.soakSec, config);
        soaks.push({ target: target.label, seconds: config.soakSec, rssBeforeMb: before, rssAfterMb: rssMb(server.pid), requestsPerSec: report.requestsPerSec });
      }
    }

    for (const server of running.values()) await stopServer(server);
    running.clear();

    const middleware = servers.includes('bastion-pg') ? await measureMiddleware(config, spec, benchKey.key) : [];

    // Raw samples beside the report (artifacts/ is git-ignored), to re-check a table later.
    const artifacts = join(REPO_ROOT, 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'bench-samples.json'), JSON.stringify({ commandLine, config, samples, paced, coldStarts, soaks }, null, 1));
    const rows = summarise(samples);
    const machine = collectMachineInfo(config.python, pgUrl);
    const report = renderReport({ config, commandLine, machine: await machine, rows, paced, coldStarts, coldStartFromDist: cold.fromDist, soaks, middleware, targets, loadBefore });
    process.stdout.write(`${report}\n`);
    if (config.write) {
      const file = join(REPO_ROOT, 'docs/benchmarks.md');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${report}\n`);
      log(`• wrote ${file}`);
    }
  } finally {
    stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Checks the tools; builds the server; says whether a built `dist/main.js` is there. */
function preflight(config: BenchConfig): boolean {
  for (const tool of ['wrk', 'taskset']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw new Error(`${tool} is not installed (apt-get install -y wrk util-linux)`);
    }
  }
  const python = spawnSync(config.python, ['-c', 'import fastapi, uvicorn, uvloop, httptools, asyncpg']);
  if (python.status !== 0) {
    throw new Error(
      `${config.python} lacks FastAPI/uvicorn/asyncpg: apt-get install -y python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-asyncpg`,
    );
  }
  if (!config.noBuild) {
    log('• building apps/server (pnpm --filter @bastion/server build)');
    const build = spawnSync('pnpm', ['--filter', '@bastion/server', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (build.status !== 0) log(`  build failed; cold starts will use the tsx entry:\n${build.stdout.slice(-800)}${build.stderr.slice(-800)}`);
  }
  return existsSync(SERVER_MAIN) && spawnSync('node', ['--check', SERVER_MAIN]).status === 0;
}

function serverSpec(
  id: ServerId,
  o: { config: BenchConfig; port: number; pgUrl: string; pgliteDir: string; extraEnv: Env; fromDist?: boolean; apiKey: string },
): ServerSpec {
  const base = { name: id, port: o.port, cpu: o.config.serverCpu };
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: String(o.port) };
  switch (id) {
    case 'bastion-pg':
    case 'bastion-pg-bare':
    case 'bastion-pglite':
      return bastionSpec(id, {
        ...base,
        entry: o.fromDist ? { dist: SERVER_MAIN, repoRoot: REPO_ROOT } : { source: BASTION_ENTRY, benchDir: BENCH_DIR },
        pgUrl: o.pgUrl,
        pgliteDir: o.pgliteDir,
        apiKey: o.apiKey,
        profileDir: o.config.profileDir,
        extraEnv: o.extraEnv,
      });
    case 'fastify':
    case 'node-http':
      return {
        ...base,
        command: process.execPath,
        args: ['--import', 'tsx', join(BASELINES, id === 'fastify' ? 'native-fastify.ts' : 'node-http.ts')],
        cwd: BENCH_DIR,
        env: { ...env, DATABASE_URL: o.pgUrl, ...o.extraEnv },
      };
    case 'fastapi':
      return {
        ...base,
        command: o.config.python,
        args: ['-m', 'uvicorn', 'fastapi_app:app', '--host', '127.0.0.1', '--port', String(o.port), '--loop', 'uvloop', '--http', 'httptools', '--no-access-log', '--log-level', 'warning'],
        cwd: BASELINES,
        env: { ...env, DATABASE_URL: o.pgUrl, ...o.extraEnv },
      };
  }
}

/** The targets in the order round `round` runs them: rotated each round, so none always runs first (or right after the POSTs). */
function rotated(targets: readonly Target[], round: number): Target[] {
  return targets.map((_, i) => targets[(i + round) % targets.length] as Target);
}

/**
 * A short unmeasured run of the cell's own load first. A server that idled through the other
 * targets' cells has lost its pooled database connections (postgres.js closes them after 30 s
 * idle) and some JIT state; without this, whichever cell it serves first pays for that.
 */
async function warmCell(server: RunningServer, request: RequestSpec, connections: number, config: BenchConfig, ratePerSec?: number) {
  if (config.cellWarmupSec > 0) await load(server, request, connections, config.cellWarmupSec, config, ratePerSec);
}

/**
 * After the rounds: every target offered FastAPI's peak load on each endpoint (its median calls/s
 * at the most connections of this run), from that many connections (see `paced.ts`); as many
 * interleaved rounds as the table, the order rotating each round.
 */
async function measurePaced(
  samples: readonly Sample[],
  targets: readonly Target[],
  endpoints: readonly EndpointId[],
  serverOf: (target: Target) => RunningServer,
  config: BenchConfig,
  afterCell: (endpoint: EndpointId) => Promise<void>,
): Promise<PacedSample[]> {
  const connections = Math.max(...config.connections);
  const peaks = new Map<EndpointId, number>();
  for (const endpoint of endpoints) {
    const peak = median(samples.filter((s) => s.target === FASTAPI && s.endpoint === endpoint && s.connections === connections).map((s) => s.callsPerSec));
    if (peak > 0) peaks.set(endpoint, peak);
    else log(`• paced ${endpoint}: no FastAPI figure at ${connections} connections in this run; skipped`);
  }
  const paced: PacedSample[] = [];
  for (let round = 0; round < config.rounds; round++) {
    for (const [endpoint, peak] of peaks) {
      log(`• paced r${round + 1} ${endpoint}: FastAPI's peak, ${peak.toFixed(0)} calls/s, offered to every target from ${connections} connections`);
      for (const target of rotated(targets, round)) {
        const request = target.requests[endpoint];
        const offeredPerSec = peak / request.calls;
        await warmCell(serverOf(target), request, connections, config, offeredPerSec);
        const report = await load(serverOf(target), request, connections, config.durationSec, config, offeredPerSec);
        await afterCell(endpoint);
        const sample = {
          target: target.id,
          endpoint,
          connections,
          offeredPerSec,
          scheduledPerSec: report.scheduledPerSec ?? offeredPerSec,
          requestsPerSec: report.requestsPerSec,
          p50Ms: report.p50Ms,
          p99Ms: report.p99Ms,
          ...errorCounts(report),
        };
        paced.push(sample);
        log(`  ${target.id.padEnd(20)} ${sample.requestsPerSec.toFixed(0).padStart(6)}/${sample.scheduledPerSec.toFixed(0)} req/s (${offeredPerSec.toFixed(0)} offered)  p99 ${sample.p99Ms.toFixed(1).padStart(6)} ms  errors ${sample.errors}`);
      }
    }
  }
  return summarisePaced(paced);
}

async function measure(server: RunningServer, target: Target, endpoint: EndpointId, connections: number, round: number, config: BenchConfig): Promise<Sample> {
  const request = target.requests[endpoint];
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`${server.spec.name} (pid ${server.pid}) died (${server.child.signalCode ?? `exit ${server.child.exitCode}`}):\n${server.log()}`);
  }
  await warmCell(server, request, connections, config);
  await settle(server.pid);
  const cpuBefore = cpuTimeUs(server.pid);
  const report = await load(server, request, connections, config.durationSec, config);
  const cpuUsed = cpuTimeUs(server.pid) - cpuBefore;
  return {
    target: target.id,
    endpoint,
    connections,
    round,
    requestsPerSec: report.requestsPerSec,
    callsPerSec: report.requestsPerSec * request.calls,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    ...errorCounts(report),
    rssMb: rssMb(server.pid),
    cpuUsPerRequest: report.requests > 0 ? cpuUsed / report.requests : Number.NaN,
  };
}

async function measureColdStarts(
  config: BenchConfig,
  servers: ServerId[],
  spec: (id: ServerId, fromDist: boolean) => ServerSpec,
  built: boolean,
): Promise<{ coldStarts: ColdStart[]; fromDist: boolean }> {
  log(`• cold starts: ${config.coldStarts}× each, spawn → first /readyz 200`);
  let fromDist = built;
  const times = new Map<ServerId, number[]>();
  for (let i = 0; i < config.coldStarts; i++) {
    // The bare server is the bench's own variant of bastion-pg, not a way anyone starts Bastion.
    for (const id of servers.filter((server) => server !== 'bastion-pg-bare')) {
      const isBastion = id === 'bastion-pg' || id === 'bastion-pglite';
      let server: RunningServer;
      try {
        server = await startServer(spec(id, isBastion && fromDist));
      } catch (error) {
        if (!(isBastion && fromDist)) throw error;
        log(`  apps/server/dist/main.js does not start; timing the tsx entry instead:\n${String(error).slice(0, 600)}`);
        fromDist = false;
        server = await startServer(spec(id, false));
      }
      times.set(id, [...(times.get(id) ?? []), server.readyAfterMs]);
      await stopServer(server);
    }
  }
  const coldStarts = [...times].map(([server, ms]) => ({ server, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), runs: ms.length }));
  return { coldStarts, fromDist };
}

/**
 * Server CPU µs per `GET /api/v1/auth/me` with each layer on and off, each server loading itself
 * in-process through Fastify's `inject` (see `inject-load.ts` for why not over sockets). Both
 * servers run side by side and take turns in half-second slices, two per second of a table cell
 * × rounds (at least a hundred each), so the machine's drift hits both alike: the cost is the median
 * of the differences between neighbouring slices, with its 95 % interval; on and off are the
 * medians of their slices. Each is warmed in-process first (at least five seconds: in-process the
 * first seconds ran at up to twice the settled cost while the JIT caught up).
 */
async function measureMiddleware(
  config: BenchConfig,
  spec: (id: ServerId, env?: Env, port?: number) => ServerSpec,
  benchKey: string,
): Promise<MiddlewareCost[]> {
  const costs: MiddlewareCost[] = [];
  const sliceSec = 0.5;
  const slices = Math.max(100, Math.round((config.rounds * config.durationSec) / sliceSec));
  const usPerCall = async (server: RunningServer, durationSec: number) => {
    const figures = await requestInjectLoad(controlPortOf(server.spec.port), {
      method: 'GET',
      path: MIDDLEWARE_PATH,
      ...(server.spec.headers ? { headers: server.spec.headers } : {}),
      concurrency: 64,
      durationSec,
    });
    if (Object.keys(figures.failures).length > 0) throw new Error(`${server.spec.name}: ${MIDDLEWARE_PATH} answered ${JSON.stringify(figures.failures)} (status: count) under the middleware load`);
    return figures.cpuUs / Math.max(1, figures.calls);
  };
  for (const toggle of MIDDLEWARE_TOGGLES) {
    log(`• middleware: ${toggle.name}`);
    const started = (env: Env, port: number) => startServer(spec('bastion-pg', { BENCH_API_KEY: benchKey, BENCH_CONTROL_PORT: String(controlPortOf(port)), ...env }, port));
    const off = await started(toggle.off, MIDDLEWARE_PORT);
    const on = await started(toggle.on, MIDDLEWARE_PORT + 1);
    try {
      for (const server of [off, on]) await usPerCall(server, Math.max(5, config.warmupSec));
      const offUs: number[] = [];
      const onUs: number[] = [];
      for (let slice = 0; slice < slices; slice++) {
        // Alternate which goes first, so neither always runs on a machine the other just warmed.
        const order = slice % 2 === 0 ? ([off, on] as const) : ([on, off] as const);
        for (const server of order) (server === off ? offUs : onUs).push(await usPerCall(server, sliceSec));
      }
      const rounded = (us: number[]) => us.map((u) => u.toFixed(0)).join(' ');
      log(`  off ${rounded(offUs)} · on ${rounded(onUs)} µs/call`);
      const differences = onUs.map((us, i) => us - (offUs[i] ?? us));
      costs.push({ name: toggle.name, offUs: median(offUs), onUs: median(onUs), costUs: median(differences), costInterval: medianInterval(differences) });
    } finally {
      await Promise.all([stopServer(off), stopServer(on)]);
    }
  }
  return costs;
}

const controlPortOf = (serverPort: number) => serverPort + CONTROL_PORT_OFFSET;

main().catch((error: unknown) => {
  stopAll();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
