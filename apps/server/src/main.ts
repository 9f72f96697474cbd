import { createAuthRuntime, ensureInitialAdmin } from '@bastion/api/auth';
import { openDatabase } from '@bastion/db';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { readEnv } from './env.js';
import { drainConnections } from './lifecycle/drain.js';
import { createMetrics } from './metrics/metrics.js';
import { serveMetrics } from './metrics/metrics-server.js';

const env = readEnv();
const database = await openDatabase({
  url: env.DATABASE_URL,
  dataDir: env.BASTION_DATA_DIR,
  preparedStatements: env.BASTION_PG_PREPARED_STATEMENTS,
});
const metrics = createMetrics();
// Built here rather than inside buildApp so a wrong BASTION_KEY_ENCRYPTION_SECRET stops the start.
const auth = await createAuthRuntime(database.db, { keyEncryptionSecret: env.BASTION_KEY_ENCRYPTION_SECRET });
await auth.keys.init();
const app = await buildApp({
  database,
  metrics,
  logger: { level: env.LOG_LEVEL },
  bodyLimit: env.BASTION_BODY_LIMIT_BYTES,
  maxHeaderBytes: env.BASTION_MAX_HEADER_BYTES,
  requestTimeoutMs: env.BASTION_REQUEST_TIMEOUT_MS,
  hardening: { corsOrigins: env.BASTION_CORS_ORIGINS, maxEventLoopDelayMs: env.BASTION_MAX_EVENT_LOOP_DELAY_MS, maxHeapUsedBytes: env.BASTION_MAX_HEAP_USED_BYTES },
  auth,
  cookies: { secure: env.BASTION_COOKIE_SECURE === 'auto' ? 'auto' : env.BASTION_COOKIE_SECURE === 'true' },
  trpcMaxBatchSize: env.BASTION_TRPC_MAX_BATCH,
  controls: {
    anonymousPerMinute: env.BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE,
    principalPerMinute: env.BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE,
    redisUrl: env.REDIS_URL,
  },
  trustProxy: env.BASTION_TRUST_PROXY,
});
for (const [name, value] of [
  ['BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE', env.BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE],
  ['BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE', env.BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE],
] as const) {
  if (value === 0) app.log.warn(`${name}=0: rate limiting is OFF by default for these callers; a flood will reach the database. Set a limit, or one through /api/v1/controls/rate-limits.`);
}
if (!env.REDIS_URL) app.log.info('REDIS_URL is not set: rate limits count per instance; control changes reach other instances by polling the database (≤ 2 s).');
if (!env.BASTION_KEY_ENCRYPTION_SECRET) {
  app.log.warn('BASTION_KEY_ENCRYPTION_SECRET is not set: the JWT signing key is stored unencrypted in the database.');
}

let demoMonitor: NodeJS.Timeout | undefined;
if (env.BASTION_SEED_DEMO) {
  const { reportDemoHeartbeats, seedDemoData, seedDemoUsers } = await import('@bastion/api/seed');
  const ctx = { db: database.db, now: () => new Date() };
  const { seeded } = await seedDemoData(ctx);
  if (seeded) app.log.info('seeded the demo fleet (first start on an empty database)');
  const demoUsers = await seedDemoUsers(ctx);
  if (demoUsers) {
    // Demo mode only: known passwords, printed to the console (not the JSON log) for whoever is trying it out.
    const lines = demoUsers.map((u) => `    ${u.role.padEnd(9)} ${u.email.padEnd(24)} ${u.password}`);
    process.stdout.write(`\n  Demo accounts (sign in to the dashboard or at /docs → Authorize):\n${lines.join('\n')}\n\n`);
  }
  if (env.BASTION_DEMO_MONITOR) {
    const tick = () => {
      reportDemoHeartbeats(ctx).catch((err: unknown) => {
        app.log.warn({ err }, 'demo monitor could not report');
      });
    };
    tick();
    demoMonitor = setInterval(tick, 15_000).unref();
  }
}

// After the demo seed (which brings its own demo users): on a database still without users,
// the first admin comes from BASTION_ADMIN_EMAIL/BASTION_ADMIN_PASSWORD, or gets a generated password.
const admin = await ensureInitialAdmin(
  { db: database.db, now: () => new Date() },
  { email: env.BASTION_ADMIN_EMAIL, password: env.BASTION_ADMIN_PASSWORD },
);
if (admin?.generatedPassword) {
  // Printed once, to the console only (not the JSON log): it is stored nowhere in clear.
  process.stdout.write(`\n  First start: created admin ${admin.email} with password ${admin.generatedPassword}\n  Sign in to the dashboard and change it under your name → Account (or POST /api/v1/auth/password); it will not be shown again.\n\n`);
} else if (admin) {
  app.log.info({ email: admin.email }, 'created the first admin from BASTION_ADMIN_EMAIL/BASTION_ADMIN_PASSWORD');
}

// Prometheus scrapes its own port, bound to loopback by default: metrics reveal traffic patterns.
const metricsServer =
  env.BASTION_METRICS_PORT > 0 ? await serveMetrics(metrics, { port: env.BASTION_METRICS_PORT, host: env.BASTION_METRICS_HOST, log: app.log }) : undefined;

// SIGTERM: drain (readiness 503, `Connection: close`, still accepting), then close the listener and
// let in-flight requests finish, then the database. A fatal error skips the drain.
closeWithGrace({ delay: env.BASTION_SHUTDOWN_DRAIN_MS + 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after a fatal error');
  else {
    app.log.info({ signal, drainMs: env.BASTION_SHUTDOWN_DRAIN_MS }, 'shutting down: draining connections');
    const drained = await drainConnections(app, { maxMs: env.BASTION_SHUTDOWN_DRAIN_MS });
    app.log.info(drained, 'drain over: closing the listener');
  }
  clearInterval(demoMonitor);
  metricsServer?.close();
  await app.close();
  await database.close();
});

const address = await app.listen({ port: env.PORT, host: env.HOST });
const where = database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite at ${env.BASTION_DATA_DIR}`;
app.log.info(`Bastion API listening on ${address} — database: ${where}`);
if (metricsServer) app.log.info(`Prometheus metrics on http://${env.BASTION_METRICS_HOST}:${env.BASTION_METRICS_PORT}/metrics`);
app.log.info(`REST ${address}/api/v1 · tRPC ${address}/trpc · docs ${address}/docs · OpenAPI ${address}/openapi.json`);
