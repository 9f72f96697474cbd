import {
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  type inferRouterContext,
  type TRPCProcedureType,
} from '@trpc/server';
import { compileProcedure, type ProcedureCall } from '@bastion/api';
import { fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import { getHTTPStatusCodeFromError, parseConnectionParamsFromString } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonArrayBody } from './json-body.js';

export interface TrpcNativeOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  createContext: (opts: { req: FastifyRequest; res: FastifyReply }) => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  /** Called once per failed call, like tRPC's adapters' `onError`. */
  onError?: (opts: {
    error: TRPCError;
    path: string | undefined;
    input: unknown;
    ctx: inferRouterContext<TRouter> | undefined;
    type: TRPCProcedureType | 'unknown';
    req: FastifyRequest;
  }) => void;
  /**
   * Lets the server say what a failed call's error really was before it is reported and answered
   * (an opaque failure while the database is down becomes a 503). Not applied to the calls handed
   * to tRPC's own adapter (streams, form data), which cannot take it.
   */
  reviseError?: (opts: { error: TRPCError; path: string; req: FastifyRequest }) => Promise<TRPCError>;
  /** Largest batch accepted (tRPC's `maxBatchSize`); unlimited when unset. A bigger batch gets 400. */
  maxBatchSize?: number;
  /**
   * Extra response headers from the calls' errors (a subset of tRPC's `responseMeta`: the
   * adapters' status override is not supported, headers are).
   */
  responseMeta?: (opts: { errors: TRPCError[] }) => { headers?: Record<string, string> };
  /**
   * Parses the input's JSON text (`input` query parameter or body); throws with a message for the
   * client, answered 400. Defaults to `JSON.parse`, as tRPC's own adapter does.
   */
  parseJson?: (text: string) => unknown;
}

type Call = {
  path: string;
  procedure: AnyTRPCProcedure | undefined;
  invoke: ((call: ProcedureCall) => Promise<unknown>) | undefined;
};

type CallOutcome = { ok: true; data: unknown } | { ok: false; error: TRPCError; input: unknown };

const ACCEPTED_METHODS: Record<TRPCProcedureType, readonly string[]> = {
  query: ['GET'],
  mutation: ['POST'],
  subscription: ['GET'],
};
const VARY = 'trpc-accept, accept';
/** Marks "input not read yet", as distinct from an input that is `undefined`. */
const UNREAD = Symbol('unread');

/**
 * Serves a tRPC router over tRPC's HTTP protocol (the wire format of @trpc/client's `httpLink`
 * and `httpBatchLink`) straight from Fastify: procedures are looked up once at start-up and
 * called directly, with no Fetch `Request`/`Response` built per request and no per-call
 * `AbortSignal`. Answers — status, `{ result: { data } }`, the error envelope from the router's
 * `errorFormatter`, batches and 207 for mixed batches — match tRPC's own Fastify adapter
 * (`trpc-native.test.ts` proves it request by request).
 *
 * What it does not do itself it hands to tRPC's adapter unchanged: streaming (`trpc-accept:
 * application/jsonl`, httpBatchStreamLink), subscriptions, form-data and binary inputs.
 *
 * @example
 * await app.register(trpcNativePlugin, { prefix: '/trpc', router: appRouter, createContext: ({ req }) => ctxOf(req) });
 */
export async function trpcNativePlugin<TRouter extends AnyTRPCRouter>(app: FastifyInstance, options: TrpcNativeOptions<TRouter>) {
  const { router, createContext, onError, reviseError, maxBatchSize, responseMeta, parseJson = JSON.parse } = options;
  const stock = (req: FastifyRequest, res: FastifyReply, path: string) =>
    fastifyRequestHandler({ router, createContext, onError, maxBatchSize, responseMeta, req, res, path });
  const applyResponseMeta = (res: FastifyReply, errors: TRPCError[]) => {
    const headers = responseMeta?.({ errors }).headers;
    if (headers) res.headers(headers);
  };
  type Ctx = inferRouterContext<TRouter>;
  const config = router._def._config;
  const { transformer } = config;
  const procedures = new Map(
    Object.entries(router._def.procedures as Record<string, AnyTRPCProcedure>).map(([path, procedure]) => [path, { procedure, invoke: compileProcedure(procedure) }]),
  );

  // Bodies arrive as text, as tRPC's adapter receives them: it owns JSON parsing and its errors.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => { done(null, body); });
  app.removeContentTypeParser('multipart/form-data');
  app.addContentTypeParser('multipart/form-data', {}, (_request, body, done) => { done(null, body); });

  const errorShape = (error: TRPCError, type: TRPCProcedureType | 'unknown', path: string | undefined, input: unknown, ctx: Ctx | undefined) =>
    transformer.output.serialize(getTRPCErrorShape({ config, error, type, path, input, ctx })) as unknown;

  // With a serializer set, Fastify sends a string as it is; otherwise it appends `; charset=utf-8`
  // to a JSON content type, which tRPC's adapter does not. One answer goes as a string (a Buffer
  // would cost a copy: ~100 µs for a 22 kB page of services); a batch as `jsonArrayBody` writes it.
  const send = (reply: FastifyReply, status: number, body: string | Buffer, contentType = 'application/json') =>
    reply.code(status).header('vary', VARY).header('content-type', contentType).serializer(asIs).send(body);

  // A wildcard, not `/:path`: a batch of 20 procedure paths outgrows Fastify's `maxParamLength`
  // (answered 414), which bounds parametric segments only.
  app.all('/*', async function trpcNative(req: FastifyRequest, res: FastifyReply) {
    const rawPath = (req.params as { '*': string })['*'];
    const query = req.query as Record<string, string | string[] | undefined>;
    const contentType = mediaType(req.headers['content-type']);
    const accept = req.headers['trpc-accept'];
    if (
      req.method === 'HEAD' ||
      accept === 'application/jsonl' ||
      contentType === 'multipart/form-data' ||
      contentType === 'application/octet-stream'
    ) {
      return stock(req, res, rawPath);
    }

    const fail = (cause: unknown) => {
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: undefined, input: undefined, ctx: undefined, type: 'unknown', req });
      applyResponseMeta(res, [error]);
      // tRPC answers request-level errors with a JSON body but, by accident of `new Response(string)`,
      // a text/plain type; kept so that both handlers are indistinguishable on the wire.
      const body = { error: errorShape(error, 'unknown', undefined, undefined, undefined) };
      return send(res, getHTTPStatusCodeFromError(error), JSON.stringify(body), 'text/plain;charset=UTF-8');
    };

    // 1. What is being called (errors here concern the whole request, as in tRPC).
    let calls: Call[];
    let isBatch: boolean;
    try {
      if (req.method !== 'GET' && contentType !== 'application/json') {
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: req.headers['content-type'] === undefined ? 'Missing content-type header' : `Unsupported content-type "${req.headers['content-type']}`,
        });
      }
      const path = decodePath(rawPath);
      isBatch = first(query.batch) === '1';
      const paths = isBatch ? path.split(',') : [path];
      if (isBatch && maxBatchSize !== undefined && paths.length > maxBatchSize) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `Batch call exceeds maximum size: ${paths.length} calls, at most ${maxBatchSize} (set httpBatchLink's maxItems)`,
        });
      }
      calls = paths.map((p) => ({ path: p, procedure: procedures.get(p)?.procedure, invoke: procedures.get(p)?.invoke }));
      const types = new Set(calls.flatMap((c) => (c.procedure ? [c.procedure._def.type] : [])));
      if (types.size > 1) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: `Cannot mix procedure types in call: ${[...types].join(', ')}` });
      }
      if (types.has('subscription')) {
        await stock(req, res, rawPath); return;
      }
      const connectionParams = first(query.connectionParams);
      if (connectionParams !== undefined) parseConnectionParamsFromString(connectionParams);
    } catch (cause) {
      return fail(cause);
    }

    // 2. Inputs, read once and only when a procedure asks (a malformed input fails each call).
    let inputs: Record<number, unknown> | typeof UNREAD = UNREAD;
    let inputError: TRPCError | undefined;
    const readInputs = (): Record<number, unknown> => {
      if (inputError) throw inputError;
      if (inputs !== UNREAD) return inputs;
      try {
        const text = req.method === 'GET' ? first(query.input) : (req.body as string | undefined);
        const parsed: unknown = text ? parseJson(text) : undefined;
        inputs = splitInputs(parsed, calls.length, isBatch, (v) => transformer.input.deserialize(v));
        return inputs;
      } catch (cause) {
        inputError =
          cause instanceof TRPCError
            ? cause
            : new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
        throw inputError;
      }
    };
    const inputOf = (index: number) => (inputs === UNREAD ? undefined : inputs[index]);

    // 3. The context, once per request; its failure fails every call.
    let ctx: Ctx | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await createContext({ req, res });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    // 4. The calls, concurrently.
    const outcomes = await Promise.all(
      calls.map(async ({ path, procedure, invoke }, index): Promise<CallOutcome> => {
        try {
          if (ctxError) throw ctxError;
          if (!procedure || !invoke) throw new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${path}"` });
          const type = procedure._def.type;
          if (!ACCEPTED_METHODS[type].includes(req.method)) {
            res.header('allow', ACCEPTED_METHODS[type].join(', '));
            throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `Unsupported ${req.method}-request to ${type} procedure at path "${path}"` });
          }
          const data: unknown = await invoke({
            path,
            type,
            ctx,
            batchIndex: index,
            signal: undefined,
            getRawInput: async () => readInputs()[index],
          });
          if (isDataStream(data)) {
            throw new TRPCError({
              code: 'UNSUPPORTED_MEDIA_TYPE',
              message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
            });
          }
          return { ok: true, data };
        } catch (cause) {
          const thrown = getTRPCErrorFromUnknown(cause);
          const error = reviseError ? await reviseError({ error: thrown, path, req }) : thrown;
          const input = inputOf(index);
          onError?.({ error, path, input, ctx, type: procedure?._def.type ?? 'unknown', req });
          return { ok: false, error, input };
        }
      }),
    );

    // 5. The answer: one envelope, or an array with 207 when the calls' statuses differ.
    const statuses = new Set<number>();
    const envelopes = outcomes.map((outcome, index) => {
      if (outcome.ok) {
        statuses.add(200);
        return { result: { data: transformer.output.serialize(outcome.data) as unknown } };
      }
      const call = calls[index];
      const shape = errorShape(outcome.error, call?.procedure?._def.type ?? 'unknown', call?.path, outcome.input, ctx);
      statuses.add(httpStatusOf(shape) ?? getHTTPStatusCodeFromError(outcome.error));
      return { error: shape };
    });
    const errors = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error]));
    if (errors.length > 0) applyResponseMeta(res, errors);
    const status = statuses.size === 1 ? (statuses.values().next().value ?? 200) : 207;
    return send(res, status, isBatch ? jsonArrayBody(envelopes) : JSON.stringify(envelopes[0]));
  });
}

const asIs = (payload: string) => payload;

/** The lower-cased media type of a Content-Type header, without parameters. */
function mediaType(header: string | undefined): string | undefined {
  return header?.toLowerCase().split(';', 1)[0]?.trim();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `Invalid URL-encoding in path "${path}"`, cause });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** tRPC's input layout: the whole value for a single call, `{ "0": …, "1": … }` for a batch. */
function splitInputs(parsed: unknown, count: number, isBatch: boolean, deserialize: (v: unknown) => unknown): Record<number, unknown> {
  const inputs: Record<number, unknown> = Object.create(null) as Record<number, unknown>;
  if (parsed === undefined) return inputs;
  if (!isBatch) {
    inputs[0] = deserialize(parsed);
    return inputs;
  }
  if (!isObject(parsed)) throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
  for (let index = 0; index < count; index++) {
    const input = parsed[index];
    if (input !== undefined) inputs[index] = deserialize(input);
  }
  return inputs;
}

/** Like tRPC: a result whose top-level values are promises or async iterables needs a streaming link. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  const isAsync = (v: unknown) =>
    typeof v === 'object' && v !== null && (typeof (v as { then?: unknown }).then === 'function' || Symbol.asyncIterator in v);
  return Symbol.asyncIterator in value || Object.values(value).some(isAsync);
}

function httpStatusOf(shape: unknown): number | undefined {
  const data = isObject(shape) ? shape.data : undefined;
  return isObject(data) && typeof data.httpStatus === 'number' ? data.httpStatus : undefined;
}
