import { randomBytes } from 'node:crypto';
import { freePort, recentOutput, type Child } from '@bastion/test-support/processes';
import postgres from 'postgres';
import { clusterEnv } from './env.js';
import { startNginx, type Nginx } from './nginx.js';
import { instanceSpec, startInstance, type Instance, type InstanceSpec } from './server-instance.js';

export const ADMIN = { email: 'cluster-admin@bastion.test', password: 'cluster-admin-password' } as const;
/** The start-up rate limit (per minute) of every instance: counted, never reached by the load. */
export const GENEROUS_RATE_LIMIT = 1_000_000;

export interface ClusterOptions {
  /** The PostgreSQL database every instance shares. */
  databaseUrl: string;
  /** The Redis every instance shares. */
  redisUrl: string;
  /** How many instances (default 2). */
  instances?: number;
  /**
   * Each instance's BASTION_SHUTDOWN_DRAIN_MS (default 3 s); nginx's upstream keepalive_timeout is set
   * a second shorter, so no idle connection outlives a drain.
   */
  drainMs?: number;
  /** More environment for every instance (e.g. rate limits, once they exist). */
  env?: Record<string, string>;
}

export interface Cluster {
  /** nginx: where clients go. */
  url: string;
  nginx: Nginx;
  /** The running instances, by index; `restart` replaces an entry with the new process. */
  instances: Instance[];
  /** SIGTERM instance `i` and wait for it to exit; resolves with its exit code. */
  stop(i: number): Promise<number | null>;
  /** Starts instance `i` again on the same ports and environment, once `/readyz` answers 200. */
  start(i: number): Promise<Instance>;
  /** Every process's recent output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * N apps/server instances on one PostgreSQL and one Redis, behind nginx on 127.0.0.1. Instances start
 * together (they take turns migrating). The first admin is {@link ADMIN}.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 2;
  const drainMs = options.drainMs ?? 3_000;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    BASTION_SEED_DEMO: 'false',
    BASTION_ADMIN_EMAIL: ADMIN.email,
    BASTION_ADMIN_PASSWORD: ADMIN.password,
    // Every instance must unseal the signing key another one stored.
    BASTION_KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    BASTION_SHUTDOWN_DRAIN_MS: String(drainMs),
    // Two instances, nginx, PostgreSQL and the load share two cores: event-loop shedding would answer
    // 503s that measure the test machine, not the cluster.
    BASTION_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Clients reach the instances through nginx on loopback: believe its X-Forwarded-For, so per-address
    // limits and blocks see the client, not nginx.
    BASTION_TRUST_PROXY: 'loopback',
    // The load sends well over the default 1200 a minute with one key. Limits far above it keep the
    // limiter counting on every request (through Redis) without refusing any; the rate-limit tests set
    // tight ones through the controls and restore these after.
    BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(GENEROUS_RATE_LIMIT),
    BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: String(GENEROUS_RATE_LIMIT),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const specs: InstanceSpec[] = [];
  for (let i = 0; i < count; i++) specs.push(await instanceSpec(String.fromCharCode(65 + i), env));
  const children: Child[] = [];
  const instances: Instance[] = [];
  let nginx: Nginx | undefined;

  const launch = async (i: number) => {
    const spec = specs[i];
    if (!spec) throw new Error(`no instance ${i}`);
    const instance = await startInstance(spec);
    children.push(instance.child);
    instances[i] = instance;
    return instance;
  };
  const logs = () =>
    [...children.map((child) => `--- ${child.name} (pid ${child.process.pid ?? '?'})\n${recentOutput(child)}`), `--- nginx\n${nginx?.log() ?? ''}`].join('\n');
  const close = async () => {
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.terminate()));
    if (clusterEnv.keepLogs) console.log(logs());
  };

  try {
    await Promise.all(specs.map((_, i) => launch(i)));
    nginx = await startNginx({
      port: await freePort(),
      upstreams: specs.map((spec) => spec.port),
      keepaliveTimeoutS: Math.max(1, Math.floor(drainMs / 1000) - 1),
    });
  } catch (error) {
    await close();
    throw error;
  }
  const proxy = nginx;
  return {
    url: proxy.url,
    nginx: proxy,
    instances,
    stop: async (i) => {
      const instance = instances[i];
      if (!instance) throw new Error(`no instance ${i}`);
      return instance.terminate();
    },
    start: launch,
    logs,
    close,
  };
}

/** A database of its own on a shared PostgreSQL server, dropped by `drop()`. */
export async function createScratchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bastion_cluster_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** A service to report on and an API key for the load: catalogue reads and heartbeat writes. */
export interface Fleet {
  slug: string;
  /** `X-API-Key` headers. */
  headers: Record<string, string>;
  /** The admin's bearer token (and a JSON content type): for changing things, e.g. controls. */
  adminHeaders: Record<string, string>;
}

/** Signs in as {@link ADMIN} through the proxy, adds a service and mints an API key for the load. */
export async function seedFleet(baseUrl: string): Promise<Fleet> {
  const token = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: ADMIN.email, password: ADMIN.password }).toString(),
  });
  if (!token.ok) throw new Error(`sign-in failed: ${token.status} ${await token.text()}`);
  const bearer = { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
  const slug = 'checkout';
  const service = await fetch(`${baseUrl}/api/v1/services`, {
    method: 'POST',
    headers: bearer,
    body: JSON.stringify({ slug, name: 'Checkout', tier: 'critical' }),
  });
  if (service.status !== 201) throw new Error(`creating the service failed: ${service.status} ${await service.text()}`);
  const headers = await createApiKey(baseUrl, bearer, 'cluster-load', ['services:read', 'heartbeats:write']);
  return { slug, headers, adminHeaders: bearer };
}

/**
 * Mints an API key as the admin and returns its `X-API-Key` headers. A new key is a new rate-limit
 * bucket: a test that counts refusals starts from zero whatever the load sent before.
 */
export async function createApiKey(baseUrl: string, adminHeaders: Record<string, string>, name: string, scopes: string[]): Promise<Record<string, string>> {
  const key = await fetch(`${baseUrl}/api/v1/api-keys`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ name, scopes }) });
  if (key.status !== 201) throw new Error(`creating the API key failed: ${key.status} ${await key.text()}`);
  return { 'x-api-key': ((await key.json()) as { secret: string }).secret };
}
