import { appRouter, type Context } from '@bastion/api';
import { openDatabase } from '@bastion/db';
import { buildApp } from '@bastion/server';
import type { FastifyRequest } from 'fastify';
// Not yet mounted by app.ts; served beside tRPC's adapter so one run compares both.
import { trpcNativePlugin } from '../../apps/server/src/trpc-native/trpc-native.js';

/**
 * Bastion as the harness runs it: `buildApp` exactly as main.ts calls it (REST at /api/v1, tRPC's
 * Fastify adapter at /trpc), plus the native tRPC handler at /trpc-native. Env: PORT,
 * DATABASE_URL or BASTION_DATA_DIR, LOG_LEVEL. No metrics port (main.ts's separate listener).
 */
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.BASTION_DATA_DIR });
const app = await buildApp({ database, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
await app.register(trpcNativePlugin, {
  prefix: '/trpc-native',
  router: appRouter,
  createContext: ({ req }: { req: FastifyRequest }): Context => ({ db: database.db, now: () => new Date(), requestId: req.id }),
});

const close = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

await app.listen({ port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' });
