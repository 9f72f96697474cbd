import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  // Workspace packages ship TypeScript source: bundle them. Everything from npm stays external and
  // is resolved from this package's node_modules, which is why the server lists the npm packages
  // its workspace dependencies import.
  noExternal: [/^@bastion\//],
  skipNodeModulesBundle: true,
});
