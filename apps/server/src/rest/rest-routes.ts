import { acceptsBody, listRestOperations, REST_BASE_PATH, type RestOperation } from '@bastion/api/openapi';
import { appRouter, compileProcedure, DomainProblem, type Context } from '@bastion/api';
import { getTRPCErrorFromUnknown, type AnyTRPCRouter } from '@trpc/server';
import type { DatabaseHandle } from '@bastion/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DATABASE_RETRY_AFTER_SECONDS, problemForFailedCall, sendProblem } from '../problem.js';
import { compileQueryCoercion } from './query-coercion.js';

export interface RestRoutesOptions {
  createContext: (request: FastifyRequest, reply: FastifyReply) => Promise<Context>;
  /** Asked when a call fails unexpectedly: an unreachable database makes it a 503, not a 500. */
  database: Pick<DatabaseHandle, 'ping'>;
  router?: AnyTRPCRouter;
}

/** `/services/{slug}` → `/services/:slug` */
const toFastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Registers one native Fastify route per REST operation, straight from the procedures' OpenAPI
 * meta. Each route builds the input the way trpc-to-openapi does (query or JSON body, plus path
 * parameters), calls the procedure directly — no Fetch Request/Response, no router walk per
 * request — and answers with the procedure's output or a problem.
 */
export function registerRestRoutes(app: FastifyInstance, options: RestRoutesOptions): RestOperation[] {
  const router = options.router ?? appRouter;
  const operations = listRestOperations(router);
  for (const operation of operations) {
    const inputSchema = operation.procedure._def.inputs[0] as z.ZodType | undefined;
    const coerceQuery = compileQueryCoercion(inputSchema);
    const hasBody = acceptsBody(operation.method);
    // Like trpc-to-openapi, a procedure whose input is void gets `undefined`, never `{}`.
    const hasInput = !isVoidSchema(inputSchema);
    const invoke = compileProcedure(operation.procedure);

    app.route({
      method: operation.method,
      url: REST_BASE_PATH + toFastifyPath(operation.path),
      config: { procedurePath: operation.procedurePath },
      handler: async function restOperation(request: FastifyRequest, reply: FastifyReply) {
        const params = request.params as Record<string, string>;
        let input: unknown;
        if (hasInput) {
          if (hasBody) {
            const body: unknown = request.body ?? {};
            if (!isPlainObject(body)) {
              return sendProblem(request, reply, {
                type: 'validation-error',
                detail: 'The request body must be a JSON object.',
                errors: [{ pointer: '', detail: 'Expected a JSON object.' }],
              });
            }
            input = { ...body, ...params };
          } else {
            input = { ...coerceQuery(request.query as Record<string, string | string[]>), ...params };
          }
        }
        try {
          const output: unknown = await invoke({
            path: operation.procedurePath,
            getRawInput: async () => input,
            ctx: await options.createContext(request, reply),
            type: operation.type,
            signal: undefined,
            batchIndex: 0,
          });
          if (operation.successStatus === 204) return await reply.code(204).send();
          return await reply.code(operation.successStatus).send(output);
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          const problem = await problemForFailedCall(error, options.database);
          if (problem.type === 'internal-error' || problem.type === 'service-unavailable') {
            request.log.error({ err: error.cause ?? error, procedure: operation.procedurePath }, 'procedure failed');
          }
          if (problem.type === 'service-unavailable') reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
          if (error.cause instanceof DomainProblem) reply.headers(error.cause.headers);
          return sendProblem(request, reply, problem);
        }
      },
    });
  }
  return operations;
}

function isVoidSchema(schema: z.ZodType | undefined): boolean {
  const type = (schema as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type;
  return type === undefined || type === 'void' || type === 'undefined';
}
