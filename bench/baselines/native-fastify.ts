import { createOpenApiDocument } from '@bastion/api/openapi';
import Fastify, { type FastifySchema } from 'fastify';
import { StoreError, createStore, type HeartbeatBody, type ListServicesQuery } from './store.js';

/**
 * The Node ceiling: the benchmarked endpoints as plain Fastify routes. Validation and response
 * serialisation use the very JSON Schemas Bastion publishes in its OpenAPI document (ajv for input,
 * fast-json-stringify for output), and the database work is `store.ts`'s hand-written SQL. What
 * Bastion adds on top — zod parsing, tRPC procedure calls, its REST layer — is what this row lacks.
 *
 * Env: PORT, DATABASE_URL (required).
 */

type JsonSchema = Record<string, unknown>;
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

const document = createOpenApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> };

function operation(path: string, method: string): Operation {
  const op = document.paths[path]?.[method];
  if (!op) throw new Error(`OpenAPI document has no ${method.toUpperCase()} ${path}`);
  return op;
}

function objectOf(parameters: Parameter[], where: string): JsonSchema {
  const own = parameters.filter((p) => p.in === where);
  return {
    type: 'object',
    properties: Object.fromEntries(own.map((p) => [p.name, p.schema])),
    required: own.filter((p) => p.required).map((p) => p.name),
  };
}

/** A Fastify route schema from an OpenAPI operation: params, querystring, body and the success response. */
function routeSchema(path: string, method: string, status: number): FastifySchema {
  const op = operation(path, method);
  const parameters = op.parameters ?? [];
  const schema: FastifySchema = {
    response: { [status]: op.responses[String(status)]?.content?.['application/json']?.schema ?? {} },
  };
  if (parameters.some((p) => p.in === 'path')) schema.params = objectOf(parameters, 'path');
  if (parameters.some((p) => p.in === 'query')) schema.querystring = objectOf(parameters, 'query');
  const body = op.requestBody?.content['application/json']?.schema;
  if (body) schema.body = body;
  return schema;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const store = createStore(databaseUrl);

const app = Fastify({
  logger: false,
  // Bastion answers unknown keys of a strict object with 422; ajv's default would strip them.
  ajv: { customOptions: { removeAdditional: false, strict: false } },
});

app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
  if (error instanceof StoreError) return reply.code(error.status).send({ status: error.status, detail: error.message });
  if (error.validation) return reply.code(422).send({ status: 422, detail: error.message });
  return reply.code(error.statusCode ?? 500).send({ status: error.statusCode ?? 500, detail: error.message });
});

app.get('/readyz', async () => ({ status: 'ready' }));

app.get<{ Querystring: ListServicesQuery }>(
  '/api/v1/services',
  { schema: routeSchema('/services', 'get', 200) },
  (request) => store.listServices(request.query),
);

app.post<{ Params: { slug: string }; Body: HeartbeatBody }>(
  '/api/v1/services/:slug/heartbeats',
  { schema: routeSchema('/services/{slug}/heartbeats', 'post', 201) },
  async (request, reply) => {
    const heartbeat = await store.recordHeartbeat(request.params.slug, request.body);
    return reply.code(201).send(heartbeat);
  },
);

app.get('/api/v1/status', { schema: routeSchema('/status', 'get', 200) }, () => store.statusSummary());

const close = async () => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

await app.listen({ port: Number(process.env.PORT ?? 4101), host: '127.0.0.1' });
