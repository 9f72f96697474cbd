import { appRouter } from '@bastion/api';
import { authenticateApiKey, createAuthRuntime } from '@bastion/api/auth';
import { openDatabase } from '@bastion/db';
import { buildApp } from '@bastion/server';
import { createContextFactory } from '@bastion/server/context';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { listenForInjectLoads } from '../src/inject-control.js';

/**
 * Bastion as the harness runs it: `buildApp` exactly as main.ts calls it (REST at /api/v1, the
 * native tRPC handler at /trpc), plus tRPC's stock Fastify adapter at /trpc-stock with the very
 * same context (principal resolution included), so one run compares both adapters. Env: PORT,
 * DATABASE_URL or BASTION_DATA_DIR, LOG_LEVEL, BENCH_WITHOUT and BENCH_API_KEY (above), and
 * BENCH_CONTROL_PORT (the in-process loads of `inject-control.ts`). No metrics port (main.ts's
 * separate listener).
 */
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.BASTION_DATA_DIR });
const auth = await createAuthRuntime(database.db);
const now = () => new Date();
// Rate limiting stays on (its cost is part of every figure) with the budgets the harness sets:
// buildApp's defaults (1,200 a minute per key) would turn the load into 429s.
const perMinute = (name: string) => Number(process.env[name] ?? 0);
// BENCH_WITHOUT=auth,controls,metrics leaves layers out for the per-middleware figures; without
// auth every call runs as the bench key's principal, resolved once here from BENCH_API_KEY.
const without = new Set((process.env.BENCH_WITHOUT ?? '').split(',').filter(Boolean));
const fixedPrincipal = without.has('auth') ? await authenticateApiKey({ db: database.db, now }, process.env.BENCH_API_KEY ?? '') : undefined;
if (without.has('auth') && !fixedPrincipal) throw new Error('BENCH_WITHOUT=auth needs BENCH_API_KEY, a valid key');
const app = await buildApp({
  database,
  auth,
  now,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  controls: {
    anonymousPerMinute: perMinute('BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE'),
    principalPerMinute: perMinute('BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE'),
  },
  benchmarkWithout: {
    ...(fixedPrincipal ? { auth: fixedPrincipal } : {}),
    ...(without.has('controls') ? { controls: true } : {}),
    ...(without.has('metrics') ? { metrics: true } : {}),
  },
});
const createContext = createContextFactory({ db: database.db, now, auth });
await app.register(fastifyTRPCPlugin, {
  prefix: '/trpc-stock',
  trpcOptions: {
    router: appRouter,
    createContext: ({ req, res }) => createContext(req, res),
    maxBatchSize: 20,
  } satisfies FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'],
});

const control = process.env.BENCH_CONTROL_PORT ? await listenForInjectLoads(app, Number(process.env.BENCH_CONTROL_PORT)) : undefined;

const close = async () => {
  control?.close();
  await app.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

await app.listen({ port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' });
