import { openDatabase } from '@bastion/db';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { readEnv } from './env.js';

const env = readEnv();
const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.BASTION_DATA_DIR });
const app = await buildApp({ database, logger: { level: env.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] } });

if (env.BASTION_SEED_DEMO) {
  const { seedDemoData } = await import('@bastion/api/seed');
  const { seeded } = await seedDemoData({ db: database.db, now: () => new Date() });
  if (seeded) app.log.info('seeded the demo fleet (first start on an empty database)');
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after a fatal error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
  await database.close();
});

const address = await app.listen({ port: env.PORT, host: env.HOST });
const where = database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite at ${env.BASTION_DATA_DIR}`;
app.log.info(`Bastion API listening on ${address} — database: ${where}`);
app.log.info(`REST ${address}/api/v1 · tRPC ${address}/trpc · docs ${address}/docs · OpenAPI ${address}/openapi.json`);
