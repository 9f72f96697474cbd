import { defineConfig } from 'vitest/config';

/**
 * End-to-end: a real apps/server (fresh data dir, demo seed) and the built dashboard, driven
 * in Debian's Chromium. One browser-facing stack for all files, so files run one at a time.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['src/**/*.e2e.test.ts'],
    globalSetup: ['./src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    // A cold `next build` on two busy cores takes minutes.
    hookTimeout: 600_000,
  },
});
