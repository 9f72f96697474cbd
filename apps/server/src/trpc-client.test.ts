import type { AppRouter, ErrorData } from '@bastion/api';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailingDatabase, MINUTE, startTestApp, stringContaining, T0, type TestApp } from './testing/test-app.js';

/** What the official client sees in `error.data`: tRPC's own fields plus our field errors. */
interface ClientErrorData extends ErrorData {
  code: string;
  httpStatus: number;
  path?: string;
  stack?: string;
}

let t: TestApp;
/** Every URL the batching client fetched, to prove calls really share a request. */
const batchedUrls: string[] = [];
const countingFetch: typeof fetch = (input, init) => {
  batchedUrls.push(input instanceof Request ? input.url : String(input));
  return fetch(input, init);
};
let batched: ReturnType<typeof createTRPCClient<AppRouter>>;
let single: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  t = await startTestApp();
  const url = `${t.baseUrl}/trpc`;
  batched = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({ url, fetch: countingFetch, headers: t.auth }),
    ],
  });
  single = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: t.auth })] });
});
afterAll(async () => {
  await t.close();
});

/** Awaits a call that must fail with a TRPCClientError, and returns its `data`. */
async function failure(call: Promise<unknown>): Promise<{ message: string; data: ClientErrorData }> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  if (!(error instanceof TRPCClientError)) throw new Error('unreachable');
  return { message: error.message, data: error.data as ClientErrorData };
}

describe('the official tRPC client at /trpc', () => {
  it('runs mutations and queries over httpLink, with the same JSON the REST face serves', async () => {
    const created = await single.services.create.mutate({ slug: 'auth-api', name: 'Auth API', tier: 'critical' });
    expect(created).toMatchObject({ slug: 'auth-api', status: 'operational', createdAt: T0.toISOString() });

    t.clock.advance(MINUTE);
    const heartbeat = await single.heartbeats.create.mutate({ slug: 'auth-api', status: 'up', latencyMs: 3 });
    expect(heartbeat).toMatchObject({ serviceSlug: 'auth-api', status: 'up', observedAt: t.clock.now().toISOString() });

    const viaTrpc = await single.services.get.query({ slug: 'auth-api' });
    const viaRest: unknown = await (await fetch(`${t.baseUrl}/api/v1/services/auth-api`, { headers: t.auth })).json();
    expect(viaTrpc).toEqual(viaRest);
    expect(viaTrpc.lastHeartbeatAt).toBe(t.clock.now().toISOString());
  });

  it('sends concurrent calls as one batch request and answers each', async () => {
    await single.services.create.mutate({ slug: 'db', name: 'DB', tier: 'critical' });
    batchedUrls.length = 0;
    const [list, status, db, radius] = await Promise.all([
      batched.services.list.query({ limit: 1 }),
      batched.status.get.query(),
      batched.services.get.query({ slug: 'db' }),
      batched.services.blastRadius.query({ slug: 'db' }),
    ]);
    expect(batchedUrls).toHaveLength(1);
    expect(batchedUrls[0]).toContain('batch=1');
    expect(list.items.map((s) => s.slug)).toEqual(['auth-api']);
    expect(list.nextCursor).toEqual(expect.any(String));
    expect(status.services.map((s) => s.slug)).toEqual(['auth-api', 'db']);
    expect(db.slug).toBe('db');
    expect(radius.items).toEqual([]);
  });

  it('keeps tRPC’s envelope for a validation error, with field pointers in data.errors and no stack', async () => {
    const { message, data } = await failure(
      batched.services.create.mutate({ slug: 'Not A Slug', name: 'X', tier: 'urgent' as 'low' }),
    );
    expect(message).toBe('Input validation failed');
    expect(data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, path: 'services.create' });
    expect(data.errors.map((e) => e.pointer).sort()).toEqual(['/slug', '/tier']);
    expect(data.stack).toBeUndefined();
  });

  it('answers a domain rule with UNPROCESSABLE_CONTENT and the pointer of the offending entry', async () => {
    await single.services.create.mutate({ slug: 'web', name: 'Web', tier: 'high', dependsOn: ['auth-api'] });
    const { message, data } = await failure(single.services.update.mutate({ slug: 'auth-api', dependsOn: ['web'] }));
    expect(message).toContain('auth-api → web → auth-api');
    expect(data).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', httpStatus: 422 });
    expect(data.errors).toEqual([{ pointer: '/dependsOn/0', detail: stringContaining('cycle') }]);
  });

  it('answers NOT_FOUND for an unknown service and CONFLICT for a delete with dependents', async () => {
    const notFound = await failure(single.services.get.query({ slug: 'ghost' }));
    expect(notFound.data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, errors: [] });
    expect(notFound.message).toContain('ghost');

    const conflict = await failure(batched.services.delete.mutate({ slug: 'auth-api' }));
    expect(conflict.data).toMatchObject({ code: 'CONFLICT', httpStatus: 409 });
    expect(conflict.message).toContain('web');
  });

  it('rejects a string where a number belongs: the shared schemas do not coerce', async () => {
    const { data } = await failure(single.services.list.query({ limit: '5' as unknown as number }));
    expect(data.code).toBe('BAD_REQUEST');
    expect(data.errors.map((e) => e.pointer)).toEqual(['/limit']);
  });

});

describe('unexpected failures on the tRPC face', () => {
  const secret = 'Failed query: select "token" from "api_keys"\nparams: hunter2';
  let broken: TestApp;
  let client: ReturnType<typeof createTRPCClient<AppRouter>>;

  beforeAll(async () => {
    // What a driver error with SQL in it looks like.
    const database = createFailingDatabase(() => new Error(secret));
    broken = await startTestApp({ database });
    client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${broken.baseUrl}/trpc`, headers: broken.auth })] });
  });
  afterAll(async () => {
    await broken.close();
  });

  it('answer INTERNAL_SERVER_ERROR (500) without a stack', async () => {
    const { data } = await failure(client.status.get.query());
    expect(data).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, errors: [] });
    expect(data.stack).toBeUndefined();
  });

  // drizzle puts the SQL and its parameters in its errors' messages; the error formatter keeps them
  // in the server log (as the REST face does).
  it('keep SQL and driver messages away from the client', async () => {
    const { message } = await failure(client.status.get.query());
    expect(message).not.toContain('hunter2');
  });
});

describe('the tRPC face while the database does not answer', () => {
  let broken: TestApp;

  beforeAll(async () => {
    // What the driver threw once when PostgreSQL went down under a query: no SQLSTATE, no errno.
    const unnamed = () => new TypeError("Cannot read properties of null (reading 'write')");
    broken = await startTestApp({ database: createFailingDatabase(unnamed, () => Promise.reject(unnamed())) });
  });
  afterAll(async () => {
    await broken.close();
  });

  it('answers SERVICE_UNAVAILABLE (503) with Retry-After, as the REST face does, not a 500', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${broken.baseUrl}/trpc`, headers: broken.auth })] });
    const { message, data } = await failure(client.status.get.query());
    expect(data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503, problemType: 'service-unavailable' });
    expect(message).toBe('The database is unreachable; retry shortly.');
    const mutation = await failure(client.services.create.mutate({ slug: 'web', name: 'Web', tier: 'low' }));
    expect(mutation.data.httpStatus).toBe(503);

    const res = await fetch(`${broken.baseUrl}/trpc/status.get,services.list?batch=1&input=%7B%7D`, { headers: broken.auth });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});
