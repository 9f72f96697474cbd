import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { PROBLEM_TYPES, problemSchema, type ProblemType } from './common/problem.js';
import { appRouter } from './root.js';
import type { Meta } from './trpc.js';

export { PROBLEM_TYPES, problemSchema, type Problem, type ProblemType } from './common/problem.js';

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
    const statuses = new Set<number>([500, 503, ...(meta.errorStatuses ?? [])]);
    if (hasInput) statuses.add(422);
    if (pathParameters.length > 0) statuses.add(404);
    if (acceptsBody(openapi.method)) [400, 413, 415].forEach((s) => statuses.add(s));
    return [
      {
        procedurePath,
        type,
        method: openapi.method,
        path: openapi.path,
        pathParameters,
        successStatus: meta.successStatus ?? 200,
        errorStatuses: [...statuses].sort(),
        procedure,
      },
    ];
  });
}

const problemTypeByStatus = new Map<number, ProblemType>(
  Object.entries(PROBLEM_TYPES).map(([type, { status }]) => [status, type as ProblemType]),
);

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
    securitySchemes: {},
    tags: ['services', 'heartbeats', 'incidents', 'status'],
    defs: { Problem: problemSchema },
  });
  for (const operation of listRestOperations()) {
    const item = document.paths?.[operation.path] as Record<string, OperationObject> | undefined;
    const op = item?.[operation.method.toLowerCase()];
    if (!op) continue;
    op['x-trpc-procedure'] = operation.procedurePath;
    if (Array.isArray(op.security) && op.security.length === 0) delete op.security;
    const success = op.responses['200'];
    const responses: Record<string, unknown> = {};
    if (operation.successStatus === 204) {
      responses['204'] = { description: 'Done; no content.' };
    } else if (success) {
      responses[String(operation.successStatus)] = success;
    }
    for (const status of operation.errorStatuses) {
      const type = problemTypeByStatus.get(status);
      responses[String(status)] = {
        description: type ? PROBLEM_TYPES[type].description : 'Error',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    op.responses = responses;
  }
  // trpc-to-openapi's own error schemas are replaced by Problem above; drop the orphans.
  const schemas = document.components?.schemas;
  if (document.components && schemas) {
    document.components.schemas = Object.fromEntries(Object.entries(schemas).filter(([key]) => !key.startsWith('error.')));
  }
  return document;
}

interface OperationObject {
  responses: Record<string, unknown>;
  security?: unknown[];
  [extension: `x-${string}`]: unknown;
}
