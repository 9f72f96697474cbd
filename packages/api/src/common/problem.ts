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

/** The kinds of problem the API answers with; `type` is `/problems/<slug>`. */
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
  'too-many-requests': { status: 429, title: 'Too many requests', description: 'Too many attempts; wait for the seconds in `Retry-After`.' },
  'internal-error': { status: 500, title: 'Internal server error', description: 'Something failed on our side; the request id is in the log.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', description: 'A dependency (the database) is unreachable; retry later.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;
