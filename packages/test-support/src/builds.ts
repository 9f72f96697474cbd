import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Newest modification time under `dir`, skipping dependencies, dot-folders and tests: whether a
 * build is older than the sources it is made from.
 */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
