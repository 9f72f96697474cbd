import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { newestMtime } from '@bastion/test-support/builds';
import { type Child, freePort, recentOutput, startProcess, stopProcess, waitForHttp } from '@bastion/test-support/processes';
import type { TestProject } from 'vitest/node';
import { e2eEnv } from './env.js';
import { type DemoAccount, parseDemoAccounts, type SessionCookie, signInOverRest } from './session.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The dashboard under test, e.g. `http://127.0.0.1:41234`. */
    dashboardUrl: string;
    /** apps/server, e.g. `http://127.0.0.1:41235` (REST at `/api/v1`). */
    apiUrl: string;
    /** True when Chromium is not installed (and not required): every e2e test skips. */
    browserMissing: boolean;
    /** The demo accounts, as the server printed them at start-up. */
    demoUsers: DemoAccount[];
    /** One signed-in session per demo role, made once per run: each browser context starts with its cookies. */
    sessions: Record<string, SessionCookie[]>;
    /** An admin API key (every scope), for arranging state over REST like any machine client. */
    adminApiKey: string;
  }
}

const REPO = resolve(import.meta.dirname, '../../..');
const SERVER_DIR = join(REPO, 'apps/server');
const DASHBOARD_DIR = join(REPO, 'apps/dashboard');

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
  const build = startProcess('next build', [nextBin, 'build', '--webpack'], {
    cwd: DASHBOARD_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build failed (${code}):\n${recentOutput(build, 6000)}`);
}

/** An API key with every admin scope, created with the admin's session (cookie + CSRF token). */
async function createAdminApiKey(apiUrl: string, cookies: SessionCookie[]): Promise<string> {
  const csrf = cookies.find((c) => c.name === 'bastion_csrf')?.value ?? '';
  const me = await fetch(`${apiUrl}/api/v1/auth/me`, { headers: { cookie: cookieHeader(cookies) } });
  const { scopes } = (await me.json()) as { scopes: string[] };
  const response = await fetch(`${apiUrl}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookieHeader(cookies), 'x-csrf-token': csrf },
    body: JSON.stringify({ name: 'e2e-arrange', scopes }),
  });
  const body = (await response.json()) as { secret?: string };
  if (response.status !== 201 || !body.secret) throw new Error(`could not create the e2e API key: ${response.status} ${JSON.stringify(body)}`);
  return body.secret;
}

function cookieHeader(cookies: SessionCookie[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

export default async function setup(project: TestProject) {
  if (!existsSync(e2eEnv.chromiumPath)) {
    const hint = `Chromium not found at ${e2eEnv.chromiumPath}; install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
    if (e2eEnv.requireBrowser) throw new Error(hint);
    console.warn(`${hint} Skipping the end-to-end tests.`);
    project.provide('browserMissing', true);
    project.provide('apiUrl', '');
    project.provide('dashboardUrl', '');
    project.provide('demoUsers', []);
    project.provide('sessions', {});
    project.provide('adminApiKey', '');
    return;
  }
  project.provide('browserMissing', false);
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-e2e-'));
  const [apiPort, metricsPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const children: Child[] = [];

  const teardown = async () => {
    for (const child of children.reverse()) await stopProcess(child);
    if (e2eEnv.keepLogs) for (const child of children) console.log(`--- ${child.name}\n${child.log.join('')}`);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const serverRequire = createRequire(join(SERVER_DIR, 'package.json'));
    const tsxCli = join(dirname(serverRequire.resolve('tsx/package.json')), 'dist/cli.mjs');
    // A fresh PGlite directory, whatever the calling shell points DATABASE_URL at.
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL;
    const server = startProcess('apps/server', [tsxCli, 'src/main.ts'], {
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
    await Promise.all([waitForHttp(`${apiUrl}/readyz`, server, 120_000), ensureDashboardBuild(nextBin)]);

    const dashboard = startProcess('dashboard', [nextBin, 'start', '-p', String(dashboardPort), '-H', '127.0.0.1'], {
      cwd: DASHBOARD_DIR,
      env: { ...process.env, BASTION_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    });
    children.push(dashboard);
    await waitForHttp(`${dashboardUrl}/login`, dashboard, 60_000);

    // Demo mode prints its accounts on the console at start-up: sign in with exactly those.
    const demoUsers = parseDemoAccounts(server.log.join(''));
    if (demoUsers.length === 0) throw new Error(`the server printed no demo accounts:\n${recentOutput(server, 4000)}`);
    const sessions: Record<string, SessionCookie[]> = {};
    for (const account of demoUsers) {
      // Through the dashboard's origin, as a browser signs in: the cookies must survive its proxy.
      sessions[account.role] = await signInOverRest(dashboardUrl, account);
    }
    const admin = sessions.admin;
    if (!admin) throw new Error('no demo admin');
    project.provide('demoUsers', demoUsers);
    project.provide('sessions', sessions);
    project.provide('adminApiKey', await createAdminApiKey(apiUrl, admin));
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('apiUrl', apiUrl);
  project.provide('dashboardUrl', dashboardUrl);
  return teardown;
}
