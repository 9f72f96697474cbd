import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

/** One problem with one part of a request: a JSON Pointer into the input and what is wrong there. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/**
 * The cause a domain error carries, so the REST face can say more than tRPC's code does
 * (a problem `type`, field pointers) while the tRPC face keeps its own envelope.
 */
export class DomainProblem extends Error {
  override readonly name = 'DomainProblem';
  constructor(
    /** Short kebab-case slug, the last segment of the problem `type` URI. */
    readonly type: string,
    message: string,
    readonly errors: FieldError[] = [],
    /** Response headers the problem needs on both faces (`WWW-Authenticate`, `Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

function domainError(
  code: TRPC_ERROR_CODE_KEY,
  type: string,
  message: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
) {
  return new TRPCError({ code, message, cause: new DomainProblem(type, message, errors, headers) });
}

export const notFound = (message: string) => domainError('NOT_FOUND', 'not-found', message);
export const conflict = (message: string) => domainError('CONFLICT', 'conflict', message);
/** A request that is well-formed but breaks a rule of the domain (422), pointing at the culprit. */
export const invalidInput = (message: string, errors: FieldError[]) =>
  domainError('UNPROCESSABLE_CONTENT', 'validation-error', message, errors);

/**
 * 401: no credentials, or credentials that do not check out. `WWW-Authenticate` per RFC 6750;
 * `invalidToken` adds `error="invalid_token"` when a presented credential was refused.
 */
export const unauthorized = (message: string, invalidToken = false) =>
  domainError('UNAUTHORIZED', 'unauthorized', message, [], {
    'www-authenticate': invalidToken ? 'Bearer realm="bastion", error="invalid_token"' : 'Bearer realm="bastion"',
  });
/** 403 naming the scopes the caller lacks (RFC 6750 `insufficient_scope`). */
export const forbidden = (message: string, missingScopes: readonly string[] = []) =>
  domainError(
    'FORBIDDEN',
    'forbidden',
    message,
    [],
    missingScopes.length > 0
      ? { 'www-authenticate': `Bearer realm="bastion", error="insufficient_scope", scope="${missingScopes.join(' ')}"` }
      : {},
  );
/** 429 with `Retry-After` in seconds. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  domainError('TOO_MANY_REQUESTS', 'too-many-requests', message, [], { 'retry-after': String(retryAfterSeconds) });

/** 503: a kill switch has turned this module or procedure off; `Retry-After` is the operator's hint. */
export const moduleDisabled = (message: string, retryAfterSeconds: number) =>
  domainError('SERVICE_UNAVAILABLE', 'module-disabled', message, [], { 'retry-after': String(retryAfterSeconds) });
/** 503: the API or this module is read-only for now; queries still work. */
export const readOnly = (message: string, retryAfterSeconds: number) =>
  domainError('SERVICE_UNAVAILABLE', 'read-only', message, [], { 'retry-after': String(retryAfterSeconds) });
/** 429 from the runtime rate limits; `headers` carries `Retry-After` and the RateLimit fields. */
export const rateLimited = (message: string, headers: Record<string, string>) =>
  domainError('TOO_MANY_REQUESTS', 'rate-limited', message, [], headers);
/** 403: the caller (user, API key or address) is on the block list. */
export const blocked = (message: string) => domainError('FORBIDDEN', 'blocked', message);

/** RFC 6901: `['a', 0, 'b/c']` → `/a/0/b~1c`. */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/** The field errors an error carries: zod issues or a domain problem's, else none. */
export function fieldErrorsOf(error: TRPCError): FieldError[] {
  const { cause } = error;
  if (cause instanceof ZodError) {
    return cause.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), detail: issue.message }));
  }
  if (cause instanceof DomainProblem) return cause.errors;
  return [];
}

/** True when tRPC rejected the input against the procedure's zod schema. */
export function isInputValidationError(error: TRPCError): boolean {
  return error.code === 'BAD_REQUEST' && error.cause instanceof ZodError;
}
