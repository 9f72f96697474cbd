import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Principal } from '../auth/principal.js';
import { DomainProblem } from '../common/errors.js';

/** The header a client sends (IETF draft-ietf-httpapi-idempotency-key-header; Stripe's semantics). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** On a replayed answer: the work was not done again (Stripe's name). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** How long a completed call stays replayable; the draft and Stripe both say at least 24 h. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** Printable ASCII without spaces: a UUID, a ULID, any opaque token fits. */
const KEY = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

const idempotencyError = (code: TRPC_ERROR_CODE_KEY, type: string, message: string) =>
  new TRPCError({ code, message, cause: new DomainProblem(type, message) });

export const invalidIdempotencyKey = (message: string) => idempotencyError('BAD_REQUEST', 'idempotency-key-invalid', message);
export const idempotencyKeyInUse = () =>
  idempotencyError('CONFLICT', 'idempotency-key-in-use', 'A request with this Idempotency-Key is still being processed; retry once it has finished.');
export const idempotencyKeyMismatch = () =>
  idempotencyError(
    'UNPROCESSABLE_CONTENT',
    'idempotency-key-mismatch',
    'This Idempotency-Key was already used for a different request (another operation or body); use a new key.',
  );

/**
 * The key in an `Idempotency-Key` header value: the draft's structured-field string
 * (`"8e03978e-…"`, quotes and `\` escapes) or a bare token as Stripe's clients send it.
 * Throws a 400 `idempotency-key-invalid` for anything else.
 */
export function parseIdempotencyKey(header: string): string {
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (!KEY.test(key)) {
    throw invalidIdempotencyKey(
      `The Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces (a UUID is a good choice).`,
    );
  }
  return key;
}

/** Whose keys these are; keys are only ever looked up within one principal. */
export function idempotencyScope(principal: Principal): string {
  if (principal.kind === 'anonymous') {
    throw invalidIdempotencyKey('An Idempotency-Key needs an authenticated caller: keys belong to a principal.');
  }
  return `${principal.kind}:${principal.id}`;
}

/**
 * What makes two requests "the same": the procedure and its raw input, with object keys sorted
 * so that `{"a":1,"b":2}` and `{"b":2,"a":1}` match. Path parameters are part of the input, so
 * method + path + body are all covered.
 */
export function requestFingerprint(procedure: string, input: unknown): string {
  return createHash('sha256')
    .update(procedure)
    .update('\n')
    .update(input === undefined ? '' : canonicalJson(input))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const record = inner as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  });
}
