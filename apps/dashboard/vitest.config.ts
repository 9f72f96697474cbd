import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Component and logic tests of the dashboard (jsdom); the root config runs it as the `dashboard` project. */
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  // tsconfig's JSX setting belongs to Next; tests compile JSX with the automatic runtime.
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    name: 'dashboard',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
