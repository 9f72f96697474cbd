import { defineConfig } from 'vitest/config';

/**
 * Scale-out: real apps/server processes behind nginx, on PostgreSQL and Redis. Each file starts its
 * own cluster, so files run one at a time (two cores).
 */
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['src/**/*.test.ts'],
    globalSetup: ['./src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
