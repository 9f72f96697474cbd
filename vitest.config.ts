import { defineConfig } from 'vitest/config';

/**
 * One `vitest run` for the whole repo. Integration suites (api, server) run on PGlite always and
 * again on PostgreSQL when TEST_DATABASE_URL is set; each run sees BASTION_TEST_ENGINE.
 */
const engines = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

/**
 * Scale-out (apps/cluster): two server instances behind nginx on PostgreSQL and Redis, under load and
 * faults. Runs when the machine has both engines (`.ci/run` sets the URLs); `pnpm test:cluster` alone.
 */
const cluster = process.env.TEST_DATABASE_URL && (process.env.TEST_REDIS_URL ?? process.env.REDIS_URL) ? ['apps/cluster'] : [];

const integration = ['packages/api', 'apps/server'].flatMap((root) =>
  engines.map((engine) => ({
    extends: true as const,
    test: {
      name: `${root.split('/')[1]}:${engine}`,
      root,
      include: ['src/**/*.test.ts'],
      env: { BASTION_TEST_ENGINE: engine },
    },
  })),
);

export default defineConfig({
  test: {
    // Generous: on a loaded 2-core machine a PGlite open alone has taken over a minute.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      ...integration,
      { extends: true, test: { name: 'db', root: 'packages/db', include: ['src/**/*.test.ts'] } },
      'apps/dashboard',
      { extends: true, test: { name: 'bench', root: 'bench', include: ['src/**/*.test.ts'] } },
      ...cluster,
    ],
  },
});
