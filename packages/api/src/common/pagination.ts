import { z } from 'zod';
import { invalidInput } from './errors.js';

export const limitInput = z
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .describe('Page size, 1–100.')
  .meta({ examples: [20] });

export const cursorInput = z
  .string()
  .max(512)
  .optional()
  .describe('Opaque cursor from the previous page’s `nextCursor`.');

/** A page of results; `nextCursor` is null on the last page. */
export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null at the end.'),
  });
}

/** Cursors are opaque to clients: base64url JSON of the sort key of the last row served. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `arity` parts, or answers 422 on `/cursor`. */
export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((p) => typeof p === 'string')) {
      return parsed;
    }
  } catch {
    // fall through to the same answer as a well-formed but foreign cursor
  }
  throw invalidCursor();
}

/** The 422 for a cursor this API did not issue. */
export function invalidCursor() {
  return invalidInput('The cursor is not one this API issued.', [
    { pointer: '/cursor', detail: 'Invalid cursor; use the nextCursor of a previous page.' },
  ]);
}

/** Decodes a `[isoTimestamp, id]` cursor, the key of lists sorted newest first. */
export function decodeTimeCursor(cursor: string): { at: Date; id: string } {
  const [iso = '', id = ''] = decodeCursor(cursor, 2);
  const at = new Date(iso);
  if (Number.isNaN(at.getTime()) || !z.uuid().safeParse(id).success) throw invalidCursor();
  return { at, id };
}
