import { z } from 'zod';

/** RFC 9457 problem details: the one error shape of the REST face. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI reference naming the kind of problem; dereference it for documentation.').meta({ examples: ['/problems/validation-error'] }),
    title: z.string().describe('Short, human-readable summary of the kind of problem.').meta({ examples: ['Validation failed'] }),
    status: z.number().int().describe('The HTTP status code.').meta({ examples: [422] }),
    detail: z.string().describe('What went wrong with this request.').meta({ examples: ['slug: Use lowercase letters, digits and single hyphens.'] }),
    instance: z.string().describe('The request path and its request id.').meta({ examples: ['/api/v1/services#req-1'] }),
    requestId: z.string().optional().describe('Quote this when asking for help; it is in the server log.'),
    errors: z
      .array(
        z.object({
          pointer: z.string().describe('JSON Pointer (RFC 6901) into the request input, e.g. `/slug`.'),
          detail: z.string(),
        }),
      )
      .optional()
      .describe('One entry per invalid field (validation problems only).'),
  })
  .meta({ id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details.' });

export type Problem = z.infer<typeof problemSchema>;

/**
 * The kinds of problem the API answers with; `type` is `/problems/<slug>`. Where several share a
 * status, the first listed is the one an error without a more specific type gets.
 */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Malformed request', description: 'The body is not valid JSON, or the request cannot be parsed.' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'Send credentials: `Authorization: Bearer <access token>`, `X-API-Key: <key>`, or a dashboard session cookie; or the ones sent were refused.' },
  forbidden: { status: 403, title: 'Forbidden', description: 'The credentials are valid but lack a scope this operation needs (named in `detail`), or a cookie-authenticated mutation lacked its CSRF token.' },
  'not-found': { status: 404, title: 'Not found', description: 'The route or the resource does not exist.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The route exists but not for this method; see the `Allow` header.' },
  conflict: { status: 409, title: 'Conflict', description: 'The request conflicts with the current state (duplicate slug, dependents, resolved incident).' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The body exceeds the size limit.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'Send `Content-Type: application/json`.' },
  'validation-error': { status: 422, title: 'Validation failed', description: 'The input is well-formed but invalid; `errors` points at each field.' },
  'idempotency-key-invalid': { status: 400, title: 'Invalid Idempotency-Key', description: 'The `Idempotency-Key` header must be 1–255 printable ASCII characters without spaces (a UUID is a good choice), sent by an authenticated caller to an operation that accepts it.' },
  'request-header-fields-too-large': { status: 431, title: 'Request headers too large', description: 'The request headers (cookies, tokens, long URLs count too) exceed the server\'s limit; send fewer or shorter ones.' },
  'idempotency-key-in-use': { status: 409, title: 'Idempotency-Key in use', description: 'A request with this `Idempotency-Key` is still being processed; retry once it has finished to get its answer.' },
  'idempotency-key-mismatch': { status: 422, title: 'Idempotency-Key reused', description: 'This `Idempotency-Key` was already used for a different request (another operation or body) within the last 24 hours; use a new key.' },
  'too-many-requests': { status: 429, title: 'Too many requests', description: 'Too many attempts; wait for the seconds in `Retry-After`.' },
  'rate-limited': { status: 429, title: 'Rate limited', description: 'This caller used up its request budget for this class of call (read, write or auth); wait for the seconds in `Retry-After`. `RateLimit-Policy` and `RateLimit` (IETF draft) say the quota and what is left.' },
  blocked: { status: 403, title: 'Blocked', description: 'An operator put this user, API key or address range on the block list.' },
  'internal-error': { status: 500, title: 'Internal server error', description: 'Something failed on our side; the request id is in the log.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', description: 'A dependency (the database) is unreachable; retry later.' },
  'module-disabled': { status: 503, title: 'Module switched off', description: 'An operator switched this module or operation off for now (a kill switch); the rest of the API keeps working. Retry after `Retry-After` seconds.' },
  'read-only': { status: 503, title: 'Read-only', description: 'The API or this module is read-only for now: reads work, changes are refused. Retry after `Retry-After` seconds.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/**
 * The general problem type of a status: the first listed, so that `conflict` (not
 * `idempotency-key-in-use`) answers for 409 when nothing more specific is known.
 */
const GENERAL_TYPE_BY_STATUS = new Map<number, ProblemType>();
for (const [type, { status }] of Object.entries(PROBLEM_TYPES)) {
  if (!GENERAL_TYPE_BY_STATUS.has(status)) GENERAL_TYPE_BY_STATUS.set(status, type as ProblemType);
}

export function generalProblemType(status: number): ProblemType | undefined {
  return GENERAL_TYPE_BY_STATUS.get(status);
}

export function isProblemType(type: string): type is ProblemType {
  return Object.hasOwn(PROBLEM_TYPES, type);
}
