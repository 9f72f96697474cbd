import { createAuthRuntime, ensureInitialAdmin } from '@bastion/api/auth';
import { openDatabase } from '@bastion/db';
import closeWithGrace from 'close-with-grace';
import { createServer } from 'node:http';
import { buildApp } from './app.js';
import { readEnv } from './env.js';
import { createMetrics } from './metrics/metrics.js';

const env = readEnv();
const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.BASTION_DATA_DIR });
const metrics = createMetrics();
// Built here rather than inside buildApp so a wrong BASTION_KEY_ENCRYPTION_SECRET stops the start.
const auth = await createAuthRuntime(database.db, { keyEncryptionSecret: env.BASTION_KEY_ENCRYPTION_SECRET });
await auth.keys.init();
const app = await buildApp({
  database,
  metrics,
  logger: { level: env.LOG_LEVEL },
  bodyLimit: env.BASTION_BODY_LIMIT_BYTES,
  requestTimeoutMs: env.BASTION_REQUEST_TIMEOUT_MS,
  hardening: { corsOrigins: env.BASTION_CORS_ORIGINS, maxEventLoopDelayMs: env.BASTION_MAX_EVENT_LOOP_DELAY_MS },
  auth,
  cookies: { secure: env.BASTION_COOKIE_SECURE === 'auto' ? 'auto' : env.BASTION_COOKIE_SECURE === 'true' },
});
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
  process.stdout.write(`\n  First start: created admin ${admin.email} with password ${admin.generatedPassword}\n  Sign in and change it; it will not be shown again.\n\n`);
} else if (admin) {
  app.log.info({ email: admin.email }, 'created the first admin from BASTION_ADMIN_EMAIL/BASTION_ADMIN_PASSWORD');
}

// Prometheus scrapes its own port, bound to loopback by default: metrics reveal traffic patterns.
const metricsServer =
  env.BASTION_METRICS_PORT > 0
    ? createServer((request, response) => {
        if (request.url !== '/metrics') {
          response.writeHead(404).end();
          return;
        }
        metrics.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          (error: unknown) => {
            app.log.error({ err: error }, 'metrics collection failed');
            response.writeHead(500).end();
          },
        );
      }).listen(env.BASTION_METRICS_PORT, env.BASTION_METRICS_HOST)
    : undefined;

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after a fatal error');
  else app.log.info({ signal }, 'shutting down');
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
