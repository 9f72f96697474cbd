import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}

const REPO = resolve(import.meta.dirname, '../../..');
const WORKSPACE_DIRS: Record<string, string> = { '@bastion/api': 'packages/api', '@bastion/db': 'packages/db' };

const readPackage = (dir: string) => JSON.parse(readFileSync(resolve(REPO, dir, 'package.json'), 'utf8')) as PackageJson;

/** The npm packages a workspace package needs at run time, through its own workspace dependencies too. */
function npmDependencies(dir: string, seen = new Set<string>()): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of Object.keys(readPackage(dir).dependencies ?? {})) {
    const workspaceDir = WORKSPACE_DIRS[name];
    if (name.startsWith('@bastion/')) {
      if (workspaceDir === undefined) throw new Error(`${dir} depends on ${name}: add its folder to WORKSPACE_DIRS`);
      if (seen.has(name)) continue;
      seen.add(name);
      for (const [dependency, from] of npmDependencies(workspaceDir, seen)) found.set(dependency, from);
    } else {
      found.set(name, dir);
    }
  }
  return found;
}

describe('the bundled server (dist/main.js)', () => {
  // tsup bundles @bastion/* source and leaves npm packages external, resolved from apps/server's
  // node_modules: a package only packages/api lists (ioredis, ipaddr.js) made `npm start` exit with
  // ERR_MODULE_NOT_FOUND although every source-run test passed.
  it('lists every npm package its bundled workspace packages import', () => {
    const own = new Set(Object.keys(readPackage('apps/server').dependencies ?? {}));
    const missing = [...npmDependencies('apps/server')].filter(([name]) => !own.has(name)).map(([name, from]) => `${name} (from ${from})`);
    expect(missing).toEqual([]);
  });
});
