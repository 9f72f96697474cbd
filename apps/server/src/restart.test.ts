import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppRouter } from '@bastion/api';
import { testEngine } from '@bastion/db/testing';
import type { inferRouterOutputs } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, type TsChild } from './testing/child-process.js';

type Outputs = inferRouterOutputs<AppRouter>;

let dataDir: string;
const ADMIN = { email: 'restart-admin@bastion.test', password: 'restart-admin-password' };
/** The bearer token every call sends; issued by the first server, it must still work after the restart. */
let bearer: Record<string, string> = {};

async function signIn(base: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: ADMIN.email, password: ADMIN.password }).toString(),
  });
  expect(res.status).toBe(200);
  return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
}

/** Starts `src/main.ts` as production does, on the PGlite directory `dataDir`; resolves to its base URL. */
function startServer(): Promise<TsChild & { value: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    BASTION_DATA_DIR: dataDir,
    BASTION_SEED_DEMO: 'false',
    BASTION_METRICS_PORT: '0',
    // A loaded test machine must not make the server shed our few requests.
    BASTION_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOG_LEVEL: 'info',
    BASTION_ADMIN_EMAIL: ADMIN.email,
    BASTION_ADMIN_PASSWORD: ADMIN.password,
  };
  delete env.DATABASE_URL;
  return spawnTs('src/main.ts', {
    env,
    timeoutMs: 110_000,
    ready: (line) => /Bastion API listening on (http:\/\/[\w.:]+)/.exec(line)?.[1],
  });
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, headers: { ...bearer, ...(init?.headers as Record<string, string> | undefined) } });
  return { status: res.status, body: await res.json() };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// The PGlite directory is what survives; the PostgreSQL run has nothing of its own to add here.
describe.skipIf(testEngine() === 'postgres')('a restart on the same PGlite data directory', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bastion-restart-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps services, heartbeats and incidents, and exits cleanly on SIGTERM both times', async () => {
    const first = await startServer();
    let before: { services: Outputs['services']['list']; incident: Outputs['incidents']['get']; heartbeats: Outputs['heartbeats']['list'] };
    try {
      const base = `${first.value}/api/v1`;
      bearer = await signIn(base);
      expect((await json(`${base}/services`, post({ slug: 'db', name: 'Database', tier: 'critical' }))).status).toBe(201);
      expect((await json(`${base}/services`, post({ slug: 'api', name: 'API', tier: 'high', dependsOn: ['db'] }))).status).toBe(201);
      expect((await json(`${base}/services/db/heartbeats`, post({ status: 'down', message: 'disk full' }))).status).toBe(201);
      const declared = await json(`${base}/incidents`, post({ title: 'DB down', severity: 'sev1', serviceSlugs: ['db'], message: 'Looking.' }));
      expect(declared.status).toBe(201);
      const incidentId = (declared.body as Outputs['incidents']['create']).id;
      before = {
        services: (await json(`${base}/services`)).body as Outputs['services']['list'],
        incident: (await json(`${base}/incidents/${incidentId}`)).body as Outputs['incidents']['get'],
        heartbeats: (await json(`${base}/services/db/heartbeats`)).body as Outputs['heartbeats']['list'],
      };
      expect(before.services.items.map((s) => s.slug)).toEqual(['api', 'db']);
    } finally {
      expect(await first.stop(), first.stderr()).toBe(0);
    }

    const second = await startServer();
    try {
      const base = `${second.value}/api/v1`;
      expect((await fetch(`${second.value}/readyz`)).status).toBe(200);
      const services = (await json(`${base}/services`)).body as Outputs['services']['list'];
      // Statuses and uptime are derived from the clock, which moved on: compare what was stored.
      const stored = (page: Outputs['services']['list']) =>
        page.items.map(({ id, slug, name, tier, dependsOn, createdAt, lastHeartbeatAt }) => ({ id, slug, name, tier, dependsOn, createdAt, lastHeartbeatAt }));
      expect(stored(services)).toEqual(stored(before.services));
      expect((await json(`${base}/incidents/${before.incident.id}`)).body).toEqual(before.incident);
      expect((await json(`${base}/services/db/heartbeats`)).body).toEqual(before.heartbeats);
      expect((await json(`${base}/services`, post({ slug: 'web', name: 'Web', tier: 'low' }))).status).toBe(201);
    } finally {
      expect(await second.stop(), second.stderr()).toBe(0);
    }
  }, 240_000);
});
