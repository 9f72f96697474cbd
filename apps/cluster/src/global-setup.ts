import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { newestMtime } from '@bastion/test-support/builds';
import { recentOutput, startProcess } from '@bastion/test-support/processes';
import { SERVER_DIR, SERVER_ENTRY } from './server-instance.js';

const REPO = resolve(SERVER_DIR, '../..');

/**
 * The instances run the bundled server (apps/server/dist), as production does: it starts in about
 * half the time tsx takes, and the suite starts six. Rebuilt here when any source it bundles is newer.
 */
export default async function ensureServerBuild(): Promise<void> {
  const bundle = join(SERVER_DIR, SERVER_ENTRY);
  const sources = ['apps/server/src', 'packages/api/src', 'packages/db/src'].map((dir) => newestMtime(join(REPO, dir)));
  if (existsSync(bundle) && statSync(bundle).mtimeMs > Math.max(...sources)) return;

  const serverRequire = createRequire(join(SERVER_DIR, 'package.json'));
  const tsupPackage = serverRequire.resolve('tsup/package.json');
  const { bin } = JSON.parse(readFileSync(tsupPackage, 'utf8')) as { bin: Record<string, string> };
  const cli = bin.tsup;
  if (cli === undefined) throw new Error('tsup has no `tsup` binary');
  const build = startProcess('tsup (apps/server)', [join(dirname(tsupPackage), cli)], { cwd: SERVER_DIR, env: process.env });
  const code = await build.exited;
  if (code !== 0) throw new Error(`building apps/server failed (${code}):\n${recentOutput(build)}`);
}
