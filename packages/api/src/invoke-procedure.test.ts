import { initTRPC, TRPCError, type AnyTRPCProcedure } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileProcedure, type ProcedureCall } from './invoke-procedure.js';

interface Ctx {
  user: string;
  trail: string[];
}
const t = initTRPC.context<Ctx>().meta<{ label: string }>().create();

/** Every kind of middleware a chain can hold; each leaves a trace the resolvers echo. */
const withTenant = t.middleware(({ ctx, next }) => next({ ctx: { tenant: `${ctx.user}-tenant`, trail: [...ctx.trail, 'tenant'] } }));
const withRole = t.middleware(({ ctx, next }) => next({ ctx: { role: 'admin', trail: [...ctx.trail, 'role'] } }));
const observing = t.middleware(async ({ next, path, type, meta, batchIndex, signal, input }) => {
  const result = await next();
  if (!result.ok) return result;
  return { ...result, data: { inner: result.data, seen: { path, type, meta, batchIndex, aborted: signal?.aborted ?? null, inputBefore: input ?? null } } };
});
const rewritingRawInput = t.middleware(({ next, getRawInput }) =>
  next({ getRawInput: async () => ({ ...((await getRawInput()) as object), injected: true }) }),
);
const failing = (error: unknown) =>
  t.middleware(() => {
    throw error;
  });
const answeringItself = t.middleware(() => Promise.resolve({ ok: true as const, data: { replayed: true }, marker: 'middlewareMarker' as never, ctx: {} }));

const base = t.procedure.meta({ label: 'm' });
const procedures: Record<string, AnyTRPCProcedure> = {
  contextMerged: base.use(withTenant).use(withRole).query(({ ctx }) => ({ ...ctx })),
  inputsMerged: base
    .input(z.object({ a: z.number() }))
    .input(z.object({ b: z.string() }))
    .use(observing)
    .output(z.object({ a: z.number(), b: z.string() }))
    .mutation(({ input }) => input),
  rawInputRewritten: base.use(rewritingRawInput).input(z.object({ a: z.number(), injected: z.boolean() })).query(({ input }) => input),
  badInput: base.input(z.object({ a: z.number() })).query(({ input }) => input),
  badOutput: base.output(z.object({ n: z.number() })).query(() => ({ n: 'not a number' }) as unknown as { n: number }),
  trpcErrorInMiddleware: base.use(failing(new TRPCError({ code: 'FORBIDDEN', message: 'no' }))).query(() => 'unreachable'),
  plainErrorInMiddleware: base.use(failing(new Error('boom'))).query(() => 'unreachable'),
  errorInResolver: base.use(observing).mutation(() => {
    throw new TRPCError({ code: 'CONFLICT', message: 'taken' });
  }),
  shortCircuited: base.use(answeringItself).query(() => 'unreachable'),
  plainValue: base.query(() => 42),
};

const call = (path: string, rawInput: unknown): ProcedureCall => ({
  path,
  type: procedures[path]?._def.type ?? 'query',
  ctx: { user: 'ada', trail: ['start'] },
  getRawInput: () => Promise.resolve(rawInput),
  signal: new AbortController().signal,
  batchIndex: 3,
});

async function outcome(promise: Promise<unknown>) {
  try {
    return { ok: true, data: await promise };
  } catch (error) {
    const e = error as TRPCError;
    return { ok: false, name: e.constructor.name, code: e.code, message: e.message, cause: e.cause instanceof Error ? e.cause.message : e.cause };
  }
}

const cases: [string, unknown][] = [
  ['contextMerged', undefined],
  ['inputsMerged', { a: 1, b: 'x', dropped: true }],
  ['rawInputRewritten', { a: 2 }],
  ['badInput', { a: 'one' }],
  ['badOutput', undefined],
  ['trpcErrorInMiddleware', undefined],
  ['plainErrorInMiddleware', undefined],
  ['errorInResolver', undefined],
  ['shortCircuited', undefined],
  ['plainValue', undefined],
];

describe('compileProcedure', () => {
  it.each(cases)('%s: answers exactly what tRPC’s own caller answers', async (path, rawInput) => {
    const procedure = procedures[path] as AnyTRPCProcedure & ((call: ProcedureCall) => Promise<unknown>);
    const ours = await outcome(compileProcedure(procedure)(call(path, rawInput)));
    const theirs = await outcome(procedure(call(path, rawInput)));
    expect(ours).toEqual(theirs);
  });

  it('carries what each kind of middleware does (so the comparison above compares something)', async () => {
    const run = (path: string, rawInput?: unknown) => outcome(compileProcedure(procedures[path] as AnyTRPCProcedure)(call(path, rawInput)));
    expect(await run('contextMerged')).toEqual({ ok: true, data: { user: 'ada', tenant: 'ada-tenant', role: 'admin', trail: ['start', 'tenant', 'role'] } });
    expect(await run('inputsMerged', { a: 1, b: 'x', dropped: true })).toEqual({
      ok: true,
      data: { inner: { a: 1, b: 'x' }, seen: { path: 'inputsMerged', type: 'mutation', meta: { label: 'm' }, batchIndex: 3, aborted: false, inputBefore: { a: 1, b: 'x' } } },
    });
    expect(await run('rawInputRewritten', { a: 2 })).toEqual({ ok: true, data: { a: 2, injected: true } });
    expect(await run('badInput', { a: 'one' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await run('badOutput')).toMatchObject({ ok: false, code: 'INTERNAL_SERVER_ERROR', message: 'Output validation failed' });
    expect(await run('plainErrorInMiddleware')).toMatchObject({ ok: false, name: 'TRPCError', code: 'INTERNAL_SERVER_ERROR', cause: 'boom' });
    expect(await run('errorInResolver')).toMatchObject({ ok: false, code: 'CONFLICT', message: 'taken' });
    expect(await run('shortCircuited')).toEqual({ ok: true, data: { replayed: true } });
  });

  it('refuses, at compile time, a procedure without the middleware chain it runs', () => {
    const stripped = { _def: { type: 'query', middlewares: undefined } } as unknown as AnyTRPCProcedure;
    expect(() => compileProcedure(stripped)).toThrow(/_def\.middlewares/);
  });
});
