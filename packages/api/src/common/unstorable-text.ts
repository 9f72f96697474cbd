import { toJsonPointer } from './errors.js';

const MAX_DEPTH = 64;

/**
 * Where the first string holding U+0000 sits in an input, as a JSON Pointer, or undefined.
 * JSON and query strings can carry the NUL character; PostgreSQL's text cannot store it and fails
 * the whole statement, which without this check surfaced as a 500 (found by sending `"\u0000"`).
 */
export function nulCharacterPointer(value: unknown, path: PropertyKey[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? toJsonPointer(path) : undefined;
  if (typeof value !== 'object' || value === null || path.length >= MAX_DEPTH) return undefined;
  for (const [key, child] of Object.entries(value)) {
    path.push(Array.isArray(value) ? Number(key) : key);
    const found = nulCharacterPointer(child, path);
    path.pop();
    if (found !== undefined) return found;
  }
  return undefined;
}
