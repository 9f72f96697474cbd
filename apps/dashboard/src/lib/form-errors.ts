import type { FieldError } from '@bastion/api';
import { isTRPCClientError } from '@trpc/client';
import type { z } from 'zod';

export type { FieldError };

/** What a form shows after a failed submit: errors on fields, and one message for the rest. */
export interface FormErrors {
  fields: FieldError[];
  /** A problem no field owns (network, server, or a pointer into a field the form lacks). */
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: [], form: null };

/** RFC 6901 pointer of a zod issue path: `['dependsOn', 0]` → `/dependsOn/0` (as the API writes them). */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The top-level field a pointer lands in: `/dependsOn/0` → `dependsOn`; `''` for the root. */
export function fieldOf(pointer: string): string {
  const [, first = ''] = pointer.split('/');
  return first.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * Runs the schema the server uses on the form's values, so the client refuses exactly what the
 * server would, with the same pointers.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  values: unknown,
): { success: true; data: z.output<S> } | { success: false; errors: FieldError[] } {
  const result = schema.safeParse(values);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    errors: result.error.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), detail: issue.message })),
  };
}

/**
 * Turns a failed mutation into form errors. tRPC errors carry `data.errors` as JSON Pointers for
 * zod and domain errors alike; those land on their fields. A CONFLICT without pointers (e.g. a
 * duplicate slug) lands on `conflictPointer`. Anything a field of `fields` cannot show becomes the
 * form-level message, so no error is ever swallowed.
 */
export function fromServerError(
  error: unknown,
  options: { fields: readonly string[]; conflictPointer?: string },
): FormErrors {
  if (!isTRPCClientError(error)) {
    return { fields: [], form: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const data = error.data as { errors?: FieldError[]; code?: string; httpStatus?: number } | undefined;
  if (!data) {
    // No tRPC envelope: the request never got a tRPC answer (network down, proxy error).
    return { fields: [], form: 'The server could not be reached; nothing was saved. Try again.' };
  }
  const pointed = data.errors ?? [];
  if (pointed.length === 0 && data.code === 'CONFLICT' && options.conflictPointer) {
    return { fields: [{ pointer: options.conflictPointer, detail: error.message }], form: null };
  }
  const known = new Set(options.fields);
  const fields = pointed.filter((e) => known.has(fieldOf(e.pointer)));
  const orphans = pointed.filter((e) => !known.has(fieldOf(e.pointer)));
  let form: string | null = null;
  if (orphans.length > 0) form = orphans.map((e) => e.detail).join(' ');
  else if (fields.length === 0) form = error.message;
  return { fields, form };
}

/** The errors that belong to one top-level field (the field itself and its items). */
export function errorsFor(errors: readonly FieldError[], field: string): FieldError[] {
  return errors.filter((e) => fieldOf(e.pointer) === field);
}

/** The messages for one top-level field, joined; undefined when it has none. */
export function messageFor(errors: readonly FieldError[], field: string): string | undefined {
  const mine = errorsFor(errors, field);
  return mine.length > 0 ? mine.map((e) => e.detail).join(' ') : undefined;
}

/**
 * For an array field: which item each error is about, keyed by the item's value.
 * `/dependsOn/0` with `values = ['auth-api']` → `Map { 'auth-api' → detail }`. Errors on the
 * array itself (`/dependsOn`) are under the key `''`.
 */
export function itemErrors(errors: readonly FieldError[], field: string, values: readonly string[]): Map<string, string> {
  const byItem = new Map<string, string>();
  for (const e of errorsFor(errors, field)) {
    const index = e.pointer.split('/')[2];
    const value = index === undefined ? '' : (values[Number(index)] ?? '');
    byItem.set(value, byItem.has(value) ? `${byItem.get(value)} ${e.detail}` : e.detail);
  }
  return byItem;
}
