#!/usr/bin/env node
// The entry point of the README's two commands (`npm start`, `npm test`) on a machine that has
// only Node and npm: finds or fetches pnpm, installs the workspace when needed, then runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const [command = 'start', ...rest] = process.argv.slice(2);

function hasPnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return probe.status === 0 && probe.stdout.trim().startsWith('10.');
}

// corepack's pnpm can fail its signature check; npx fetches pnpm from the npm registry instead.
const pnpm = hasPnpm() ? ['pnpm'] : ['npx', '--yes', `pnpm@${PNPM_VERSION}`];

function run(args, options = {}) {
  const [bin, ...pre] = pnpm;
  const result = spawnSync(bin, [...pre, ...args], { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lockfile = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs) return;
  console.log('› Installing dependencies (first run)…');
  run(['install', '--frozen-lockfile']);
}

ensureInstalled();

switch (command) {
  case 'test':
    // Unit and integration suites first, then the browser tests against the built dashboard.
    run(['exec', 'vitest', 'run', ...rest]);
    if (rest.length === 0) run(['--filter', '@bastion/e2e', 'test']);
    break;
  case 'bench':
    run(['--filter', '@bastion/bench', 'bench', ...rest]);
    break;
  case 'bench:ab':
    run(['--filter', '@bastion/bench', 'ab', ...rest]);
    break;
  case 'start':
    start();
    break;
  default:
    console.error(`unknown command "${command}" (start | test | bench | bench:ab)`);
    process.exit(2);
}

function start() {
  console.log('› Building the server and the dashboard…');
  run(['turbo', 'run', 'build', '--filter=@bastion/server', '--filter=@bastion/dashboard', '--output-logs=errors-only']);
  const apiPort = process.env.PORT ?? '4000';
  const dashboardPort = process.env.DASHBOARD_PORT ?? '3000';
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = { ...process.env, PORT: apiPort, BASTION_SEED_DEMO: process.env.BASTION_SEED_DEMO ?? 'true',
    BASTION_DEMO_MONITOR: process.env.BASTION_DEMO_MONITOR ?? 'true',
    // The dashboard forwards browsers' API calls from loopback: believe its X-Forwarded-For, so
    // rate limits and blocks see each browser's address rather than one shared one.
    BASTION_TRUST_PROXY: process.env.BASTION_TRUST_PROXY ?? 'loopback',
  };
  const children = [
    spawn(process.execPath, ['dist/main.js'], { cwd: join(root, 'apps/server'), stdio: 'inherit', env }),
    spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', dashboardPort, '-H', '127.0.0.1'], {
      cwd: join(root, 'apps/dashboard'),
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, BASTION_API_URL: process.env.BASTION_API_URL ?? apiUrl },
    }),
  ];
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 500).unref();
  };
  for (const child of children) child.on('exit', (code) => stop(code ?? 0));
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  void announce(apiUrl, `http://127.0.0.1:${dashboardPort}`);
}

async function announce(apiUrl, dashboardUrl) {
  for (let i = 0; i < 120; i++) {
    const [api, dashboard] = await Promise.all([ok(`${apiUrl}/readyz`), ok(dashboardUrl)]);
    if (api && dashboard) {
      console.log(`
  Bastion is running.
    Dashboard      ${dashboardUrl}
    REST API       ${apiUrl}/api/v1   (try: curl ${apiUrl}/api/v1/status)
    API docs       ${apiUrl}/docs
    OpenAPI        ${apiUrl}/openapi.json
    tRPC           ${apiUrl}/trpc
  Press Ctrl+C to stop.
`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error('Bastion did not become ready within 60 s; see the log above.');
}

async function ok(url) {
  try {
    const response = await fetch(url);
    return response.ok;
  } catch {
    return false;
  }
}
