import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { e2eEnv } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The dashboard under test, e.g. `http://127.0.0.1:41234`. */
    dashboardUrl: string;
    /** apps/server, e.g. `http://127.0.0.1:41235` (REST at `/api/v1`). */
    apiUrl: string;
    /** True when Chromium is not installed (and not required): every e2e test skips. */
    browserMissing: boolean;
  }
}

const REPO = resolve(import.meta.dirname, '../../..');
const SERVER_DIR = join(REPO, 'apps/server');
const DASHBOARD_DIR = join(REPO, 'apps/dashboard');

/** A port the OS says is free right now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === 'object' && address) done(address.port);
        else fail(new Error('no port'));
      });
    });
  });
}

interface Child {
  name: string;
  process: ChildProcess;
  log: string[];
}

/** Starts a process in its own process group, so teardown can stop it and its children. */
function start(name: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  const child = spawn(process.execPath, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 400) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, process: child, log };
}

async function stop(child: Child): Promise<void> {
  const { pid, exitCode } = child.process;
  if (pid === undefined || exitCode !== null) return;
  const exited = new Promise<void>((done) => child.process.once('exit', () => { done(); }));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timeout);
}

/** Polls `url` until it answers 2xx, the child dies, or `timeoutMs` passes. */
async function waitFor(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`${child.name} exited with ${child.process.exitCode}:\n${child.log.join('').slice(-4000)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms:\n${child.log.join('').slice(-4000)}`);
}

/** Newest modification time under `dir` (skipping build output and dependencies). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Reuses the dashboard's production build when it is newer than every source it is built from
 * (the dashboard and packages/api); otherwise runs `next build` first.
 */
async function ensureDashboardBuild(nextBin: string): Promise<void> {
  const buildId = join(DASHBOARD_DIR, '.next/BUILD_ID');
  const sourcesChanged =
    !existsSync(buildId) ||
    Math.max(newestMtime(join(DASHBOARD_DIR, 'src')), newestMtime(join(REPO, 'packages/api/src'))) > statSync(buildId).mtimeMs;
  if (!e2eEnv.rebuild && !sourcesChanged) return;
  const build = start('next build', [nextBin, 'build', '--webpack'], {
    cwd: DASHBOARD_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number | null>((done) => build.process.once('exit', done));
  if (code !== 0) throw new Error(`next build failed (${code}):\n${build.log.join('').slice(-6000)}`);
}

export default async function setup(project: TestProject) {
  if (!existsSync(e2eEnv.chromiumPath)) {
    const hint = `Chromium not found at ${e2eEnv.chromiumPath}; install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
    if (e2eEnv.requireBrowser) throw new Error(hint);
    console.warn(`${hint} Skipping the end-to-end tests.`);
    project.provide('browserMissing', true);
    project.provide('apiUrl', '');
    project.provide('dashboardUrl', '');
    return;
  }
  project.provide('browserMissing', false);
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-e2e-'));
  const [apiPort, metricsPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const children: Child[] = [];

  const teardown = async () => {
    for (const child of children.reverse()) await stop(child);
    if (e2eEnv.keepLogs) for (const child of children) console.log(`--- ${child.name}\n${child.log.join('')}`);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const serverRequire = createRequire(join(SERVER_DIR, 'package.json'));
    const tsxCli = join(dirname(serverRequire.resolve('tsx/package.json')), 'dist/cli.mjs');
    // A fresh PGlite directory, whatever the calling shell points DATABASE_URL at.
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL;
    const server = start('apps/server', [tsxCli, 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: {
        ...inherited,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        BASTION_METRICS_PORT: String(metricsPort),
        BASTION_DATA_DIR: dataDir,
        BASTION_SEED_DEMO: 'true',
        // The tests report heartbeats themselves; a demo monitor would overwrite them.
        BASTION_DEMO_MONITOR: 'false',
        LOG_LEVEL: 'warn',
      },
    });
    children.push(server);

    const dashboardRequire = createRequire(join(DASHBOARD_DIR, 'package.json'));
    const nextBin = join(dirname(dashboardRequire.resolve('next/package.json')), 'dist/bin/next');
    // Build while the server boots: both take a while, and the build does not need the API.
    await Promise.all([waitFor(`${apiUrl}/readyz`, server, 120_000), ensureDashboardBuild(nextBin)]);

    const dashboard = start('dashboard', [nextBin, 'start', '-p', String(dashboardPort), '-H', '127.0.0.1'], {
      cwd: DASHBOARD_DIR,
      env: { ...process.env, BASTION_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    });
    children.push(dashboard);
    await waitFor(`${dashboardUrl}/api-reference`, dashboard, 60_000);
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('apiUrl', apiUrl);
  project.provide('dashboardUrl', dashboardUrl);
  return teardown;
}
