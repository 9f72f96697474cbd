import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { PROBLEM_TYPES, problemSchema, type ProblemType } from './common/problem.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency/idempotency-key.js';
import { z } from 'zod';
import { SCOPES, type Scope } from './auth/scopes.js';
import { appRouter } from './root.js';
import { accessOf, type Meta } from './trpc.js';

export { generalProblemType, isProblemType, PROBLEM_TYPES, problemSchema, type Problem, type ProblemType } from './common/problem.js';

/** Where the REST face lives; paths in procedure meta are relative to it. */
export const REST_BASE_PATH = '/api/v1';

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One REST operation: a procedure with `meta.openapi`, resolved once at start-up. */
export interface RestOperation {
  /** Dotted procedure path, e.g. `services.get`. */
  procedurePath: string;
  type: 'query' | 'mutation';
  method: HttpMethod;
  /** OpenAPI path template under `REST_BASE_PATH`, e.g. `/services/{slug}`. */
  path: string;
  pathParameters: string[];
  successStatus: 200 | 201 | 204;
  /** Every error status the operation can answer, documented on it. */
  errorStatuses: number[];
  /** Whether it honours `Idempotency-Key`: every mutation but those whose meta opts out. */
  idempotencyKey: boolean;
  /** Who may call it, from `meta.scopes` / `meta.public`; null when undeclared (a bug the tests catch). */
  access: ReturnType<typeof accessOf>;
  procedure: AnyTRPCProcedure;
}

const BODY_METHODS = new Set<HttpMethod>(['POST', 'PATCH', 'PUT']);

/** Whether the method takes its input from a JSON body (else from the query string). */
export const acceptsBody = (method: HttpMethod) => BODY_METHODS.has(method);

/**
 * Every REST operation of a router, from its procedures' meta: the one list both the server's
 * routes and the OpenAPI document are built from.
 */
export function listRestOperations(router: AnyTRPCRouter = appRouter): RestOperation[] {
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  return Object.entries(procedures).flatMap(([procedurePath, procedure]) => {
    const meta = procedure._def.meta as Meta | undefined;
    const openapi = meta?.openapi;
    if (!openapi || openapi.enabled === false) return [];
    const type = procedure._def.type;
    if (type === 'subscription') return [];
    const pathParameters = [...openapi.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
    const input = procedure._def.inputs[0] as { _zod?: { def?: { type?: string } } } | undefined;
    const inputType = input?._zod?.def?.type;
    // A void input cannot fail validation, so 422 is not documented for it.
    const hasInput = inputType !== undefined && inputType !== 'void' && inputType !== 'undefined';
    const access = accessOf(meta);
    // Any call can meet the runtime controls: the block list (403), a rate limit (429), a kill
    // switch or read-only mode (503).
    const statuses = new Set<number>([403, 429, 500, 503, ...(meta.errorStatuses ?? [])]);
    if (access && !access.public) statuses.add(401);
    if (hasInput) statuses.add(422);
    if (pathParameters.length > 0) statuses.add(404);
    if (acceptsBody(openapi.method)) [400, 413, 415].forEach((s) => statuses.add(s));
    // A mutation answers a bad key (400), a key in use (409) and a reused key (422); one that
    // refuses keys answers 400 when it is sent one.
    const idempotencyKey = type === 'mutation' && meta.idempotencyKeys !== false;
    if (type === 'mutation') statuses.add(400);
    if (idempotencyKey) [409, 422].forEach((s) => statuses.add(s));
    return [
      {
        procedurePath,
        type,
        method: openapi.method,
        path: openapi.path,
        pathParameters,
        successStatus: meta.successStatus ?? 200,
        errorStatuses: [...statuses].sort(),
        idempotencyKey,
        access,
        procedure,
      },
    ];
  });
}

/** Every problem type of each status, in the order listed (the generic one first). */
const problemTypesByStatus = new Map<number, ProblemType[]>();
for (const [type, { status }] of Object.entries(PROBLEM_TYPES)) {
  problemTypesByStatus.set(status, [...(problemTypesByStatus.get(status) ?? []), type as ProblemType]);
}

/**
 * One type's description, or each type of a shared status named with its description. The
 * `Idempotency-Key` types belong only to the operations that honour the header.
 */
function describeStatus(status: number, idempotencyKey: boolean): string {
  const idempotencyTypes = new Set(IDEMPOTENCY_PROBLEM_BY_STATUS.values());
  const types = (problemTypesByStatus.get(status) ?? []).filter((type) => idempotencyKey || !idempotencyTypes.has(type));
  if (types.length === 0) return 'Error';
  if (types.length === 1 && types[0]) return PROBLEM_TYPES[types[0]].description;
  return types.map((type) => `\`/problems/${type}\`: ${PROBLEM_TYPES[type].description}`).join('\n\n');
}

/**
 * The OpenAPI 3.1 document of the REST face. trpc-to-openapi writes paths and schemas from the
 * procedures; we then state what it cannot: the real success status (201/204) and every error
 * status an operation can answer, each as `application/problem+json`.
 */
export function createOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'Bastion API',
    version: options.version ?? '0.1.0',
    description:
      'The service-resilience control plane: a catalogue of services, heartbeats from monitors, incidents and a public status summary.\n\n' +
      'Errors are RFC 9457 problem details (`application/problem+json`); validation errors list each field as a JSON Pointer in `errors`.',
    baseUrl: `${options.serverUrl ?? ''}${REST_BASE_PATH}`,
    securitySchemes: SECURITY_SCHEMES,
    tags: ['services', 'heartbeats', 'incidents', 'status', 'auth', 'api-keys', 'users', 'audit', 'controls'],
    defs: { Problem: problemSchema },
    paths: tokenEndpointPaths(),
  });
  document.components = { ...document.components, parameters: { ...document.components?.parameters, IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER } };
  for (const operation of listRestOperations()) {
    const item = document.paths?.[operation.path] as Record<string, OperationObject> | undefined;
    const op = item?.[operation.method.toLowerCase()];
    if (!op) continue;
    op['x-trpc-procedure'] = operation.procedurePath;
    // trpc-to-openapi cannot state per-operation scopes: write `security` from the meta instead.
    delete op.security;
    if (operation.access && !operation.access.public) {
      const { scopes, usersOnly } = operation.access;
      op.security = securityRequirement(scopes, usersOnly);
      op['x-required-scopes'] = scopes;
      const needs = usersOnly
        ? 'Requires a signed-in user (a session or a user’s access token); API keys are refused (403).'
        : scopes.length > 0
          ? `Requires scope ${scopes.map((s) => `\`${s}\``).join(', ')}.`
          : 'Requires any credentials.';
      op.description = op.description ? `${op.description}\n\n${needs}` : needs;
    }
    const success = op.responses['200'];
    const responses: Record<string, unknown> = {};
    if (operation.successStatus === 204) {
      responses['204'] = { description: 'Done; no content.' };
    } else if (success) {
      responses[String(operation.successStatus)] = success;
    }
    if (operation.idempotencyKey) {
      op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
      const answer = responses[String(operation.successStatus)] as { headers?: Record<string, unknown> } | undefined;
      if (answer) answer.headers = { ...answer.headers, [IDEMPOTENT_REPLAYED_HEADER]: IDEMPOTENT_REPLAYED_RESPONSE_HEADER };
    }
    for (const status of operation.errorStatuses) {
      responses[String(status)] = {
        description: describeStatus(status, operation.idempotencyKey),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    op.responses = responses;
  }
  // trpc-to-openapi's own error schemas are replaced by Problem above; drop the orphans.
  const { schemas } = document.components;
  if (schemas) {
    document.components.schemas = Object.fromEntries(Object.entries(schemas).filter(([key]) => !key.startsWith('error.')));
  }
  return document;
}

interface OperationObject {
  responses: Record<string, unknown>;
  parameters?: unknown[];
  security?: unknown[];
  description?: string;
  [extension: `x-${string}`]: unknown;
}

const IDEMPOTENCY_PROBLEM_BY_STATUS = new Map<number, ProblemType>([
  [400, 'idempotency-key-invalid'],
  [409, 'idempotency-key-in-use'],
  [422, 'idempotency-key-mismatch'],
]);

/** `#/components/parameters/IdempotencyKey`, referenced by every operation that honours it. */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    'Makes a retry safe (IETF draft-ietf-httpapi-idempotency-key-header; Stripe semantics). Send a fresh unique value (a UUID) per operation; ' +
    'a retry with the same key and the same body replays the first answer (same status and body, plus `Idempotent-Replayed: true`) without doing the work again. ' +
    'The same key with another body or operation answers 422 `idempotency-key-mismatch`; while the first request is still running, 409 `idempotency-key-in-use`. ' +
    `Keys belong to the caller (two callers never collide) and are kept 24 hours. Only successful answers are kept: a failed request changed nothing and may be retried with the same key. ` +
    `1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces, bare or as a quoted string.`,
  schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7E]+$' },
  example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
} as const;

const IDEMPOTENT_REPLAYED_RESPONSE_HEADER = {
  description: '`true` when this answer is a replay of an earlier request with the same `Idempotency-Key`.',
  schema: { type: 'string', enum: ['true'] },
} as const;

/** The OAuth2 token endpoint, relative to the REST base path; a native route, not a procedure. */
export const TOKEN_PATH = '/auth/token';

/**
 * The three ways to authenticate, as Swagger UI's Authorize dialog offers them: the OAuth2
 * password flow (and client credentials, for API keys) against the token endpoint, a bearer
 * token pasted in, or an API key header. The dashboard's session cookie is not listed: it needs
 * a CSRF header that only the dashboard sends.
 */
export const SECURITY_SCHEMES = {
  OAuth2: {
    type: 'oauth2',
    description: 'Sign in with a username and password (or an API key’s id and secret) at the token endpoint; tick the scopes you need, or none for all your role has.',
    flows: {
      password: { tokenUrl: `${REST_BASE_PATH}${TOKEN_PATH}`, refreshUrl: `${REST_BASE_PATH}${TOKEN_PATH}`, scopes: SCOPES },
      clientCredentials: { tokenUrl: `${REST_BASE_PATH}${TOKEN_PATH}`, scopes: SCOPES },
    },
  },
  BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from the token endpoint.' },
  ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`bst_…`), created at POST /api-keys.' },
} as const;

/**
 * Any one of the schemes, with the scopes the operation needs (OAS 3.1 allows scopes on every
 * scheme); without the API key scheme when only users may call it.
 */
function securityRequirement(scopes: readonly Scope[], usersOnly: boolean) {
  const users = [{ OAuth2: [...scopes] }, { BearerToken: [...scopes] }];
  return usersOnly ? users : [...users, { ApiKey: [...scopes] }];
}

const tokenResponse = z
  .object({
    access_token: z.string().describe('A JWT (EdDSA); send as `Authorization: Bearer …`.'),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().describe('Seconds until the access token expires (at most 900).').meta({ examples: [900] }),
    refresh_token: z.string().optional().describe('Opaque; exchange once for a new pair (password and refresh grants only).'),
    scope: z.string().describe('The scopes granted, space-separated.').meta({ examples: ['services:read incidents:read'] }),
  })
  .meta({ id: 'TokenResponse', description: 'RFC 6749 §5.1 token response.' });

const oauthError = z
  .object({
    error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']),
    error_description: z.string(),
  })
  .meta({ id: 'OAuthError', description: 'RFC 6749 §5.2 error response.' });

const tokenRequest = z
  .object({
    grant_type: z.enum(['password', 'client_credentials', 'refresh_token']),
    username: z.string().optional().describe('password grant: the account email.'),
    password: z.string().optional().describe('password grant.'),
    scope: z.string().optional().describe('Space-separated scopes; empty for everything you may have.'),
    client_id: z.string().optional().describe('client_credentials grant: the API key id (or use HTTP Basic).'),
    client_secret: z.string().optional().describe('client_credentials grant: the API key itself.'),
    refresh_token: z.string().optional().describe('refresh_token grant.'),
  })
  .meta({ id: 'TokenRequest' });

function tokenEndpointPaths() {
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
  return {
    [TOKEN_PATH]: {
      post: {
        tags: ['auth'],
        operationId: 'auth-token',
        summary: 'OAuth2 token endpoint (password, client_credentials, refresh_token)',
        description:
          'RFC 6749. Access tokens are EdDSA JWTs (`iss` bastion, `aud` bastion-api) valid for at most 15 minutes; public keys at `/.well-known/jwks.json`. ' +
          'Refresh tokens rotate on every use; presenting a used one revokes its whole family.',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: tokenRequest } } },
        responses: {
          '200': json(tokenResponse, 'Tokens issued.'),
          '400': json(oauthError, 'Bad request, bad credentials (`invalid_grant`), unknown scope or grant type.'),
          '401': json(oauthError, 'Client authentication failed (`invalid_client`).'),
          '415': { description: 'Send `application/x-www-form-urlencoded`.' },
          '429': {
            ...json(oauthError, 'Too many failed sign-ins for this account from this address; see `Retry-After`.'),
            headers: { 'Retry-After': { schema: { type: 'integer' as const }, description: 'Seconds to wait.' } },
          },
        },
      },
    },
  };
}
