import { appRouter, createCallerFactory, type AppRouter, type Context } from '@bastion/api';
import { asAdmin } from '@bastion/api/testing/principals';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trpcNativePlugin } from './trpc-native.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
let database: DatabaseHandle;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  database = await openTestDatabase();
  // Every procedure needs a principal now: both adapters call as the admin.
  const createContext = (): Context => asAdmin({ db: database.db, now: () => NOW });
  const caller = createCallerFactory(appRouter)(createContext());
  await caller.services.create({ slug: 'auth-api', name: 'Auth API', tier: 'critical' });
  await caller.services.create({ slug: 'payments-api', name: 'Payments API', tier: 'high', dependsOn: ['auth-api'] });
  await caller.heartbeats.create({ slug: 'auth-api', status: 'down', latencyMs: 900 });

  // Both adapters side by side in one app, as app.ts sets Fastify up (no text/plain parser).
  app = Fastify({ logger: false });
  app.removeContentTypeParser('text/plain');
  await app.register(fastifyTRPCPlugin, { prefix: '/stock', trpcOptions: { router: appRouter, createContext } });
  await app.register(trpcNativePlugin, { prefix: '/trpc', router: appRouter, createContext });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await database.close();
});

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  /** Everything after the prefix: `services.get?input=…`. */
  url: string;
  body?: string;
  contentType?: string | null;
  /** The call creates a row: ids differ between the two adapters, so compare without them. */
  creates?: boolean;
}

const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;
const heartbeat = { slug: 'payments-api', status: 'up', latencyMs: 12 };

const CORPUS: Case[] = [
  { name: 'query without input', url: 'services.list' },
  { name: 'query with input', url: `services.list?${q({ tier: 'high', limit: 5 })}` },
  { name: 'query of one item', url: `services.get?${q({ slug: 'payments-api' })}` },
  { name: 'void input', url: 'status.get' },
  { name: 'not found', url: `services.get?${q({ slug: 'nope-nope' })}` },
  { name: 'validation error with field pointers', url: `services.get?${q({ slug: 'Bad Slug!' })}` },
  { name: 'domain validation error (bad cursor)', url: `services.list?${q({ cursor: 'not-ours' })}` },
  { name: 'malformed input JSON', url: 'services.list?input=%7Bnot-json' },
  { name: 'unknown procedure', url: 'nope.nothing' },
  { name: 'prototype key is not a procedure', url: 'constructor' },
  { name: 'mutation over GET', url: `heartbeats.create?${q(heartbeat)}` },
  { name: 'query over POST', method: 'POST', url: 'services.list', body: '{}' },
  { name: 'query over PUT', method: 'PUT', url: 'services.list', body: '{}' },
  { name: 'mutation', method: 'POST', url: 'heartbeats.create', body: JSON.stringify(heartbeat), creates: true },
  { name: 'mutation validation error', method: 'POST', url: 'heartbeats.create', body: JSON.stringify({ ...heartbeat, status: 'sideways', extra: 1 }) },
  { name: 'mutation on a missing resource', method: 'POST', url: 'heartbeats.create', body: JSON.stringify({ ...heartbeat, slug: 'ghost-api' }) },
  { name: 'mutation conflict', method: 'POST', url: 'services.create', body: JSON.stringify({ slug: 'auth-api', name: 'Again', tier: 'low' }) },
  { name: 'malformed JSON body', method: 'POST', url: 'heartbeats.create', body: '{"slug":' },
  { name: 'empty JSON body', method: 'POST', url: 'heartbeats.create', body: '' },
  { name: 'missing content type', method: 'POST', url: 'heartbeats.create', contentType: null },
  { name: 'text/plain body', method: 'POST', url: 'heartbeats.create', body: 'hello', contentType: 'text/plain' },
  { name: 'JSON with charset', method: 'POST', url: 'heartbeats.create', body: JSON.stringify({ slug: 'x' }), contentType: 'Application/JSON; charset=utf-8' },
  {
    name: 'batch of queries',
    url: `services.get,services.list,status.get?batch=1&${q({ 0: { slug: 'payments-api' }, 1: { limit: 1 } })}`,
  },
  { name: 'batch with one not found (207)', url: `services.get,services.get?batch=1&${q({ 0: { slug: 'auth-api' }, 1: { slug: 'ghost-api' } })}` },
  { name: 'batch all not found (404)', url: `services.get,services.get?batch=1&${q({ 0: { slug: 'ghost-a' }, 1: { slug: 'ghost-b' } })}` },
  { name: 'batch with an unknown procedure', url: `status.get,nope.nothing?batch=1&${q({})}` },
  { name: 'batch input not an object', url: `services.list,services.list?batch=1&input=${encodeURIComponent('[1,2]')}` },
  { name: 'batch without input', url: 'services.list,status.get?batch=1' },
  { name: 'batch mixing queries and mutations', url: `services.list,heartbeats.create?batch=1&${q({})}` },
  {
    name: 'batch of mutations',
    method: 'POST',
    url: 'heartbeats.create,heartbeats.create?batch=1',
    body: JSON.stringify({ 0: heartbeat, 1: { ...heartbeat, status: 'down' } }),
    creates: true,
  },
  {
    name: 'batch of mutations with errors',
    method: 'POST',
    url: 'heartbeats.create,heartbeats.create?batch=1',
    body: JSON.stringify({ 0: { ...heartbeat, slug: 'ghost-api' }, 1: { ...heartbeat, latencyMs: -1 } }),
  },
  { name: 'comma path without batch=1', url: 'services.list,status.get' },
  { name: 'bad URL encoding in path', url: '%E0%A4%A' },
  { name: 'HEAD', method: 'HEAD', url: 'services.list' },
];

async function send(prefix: string, c: Case) {
  const method = c.method ?? 'GET';
  const headers: Record<string, string> = {};
  const contentType = c.contentType === undefined ? (method === 'GET' || method === 'HEAD' ? null : 'application/json') : c.contentType;
  if (contentType) headers['content-type'] = contentType;
  const response = await app.inject({ method, url: `/${prefix}/${c.url}`, headers, ...(c.body === undefined ? {} : { payload: c.body }) });
  // Fastify's own errors quote the URL, prefix included.
  let text = response.body.replaceAll(`/${prefix}/`, '/<prefix>/');
  if (c.creates) text = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    vary: response.headers.vary,
    allow: response.headers.allow,
    body: text === '' ? '' : (JSON.parse(text) as unknown),
  };
}

describe('native tRPC handler vs tRPC’s Fastify adapter', () => {
  it.each(CORPUS.map((c) => [c.name, c] as const))('answers "%s" identically', async (_name, c) => {
    const stock = await send('stock', c);
    const native = await send('trpc', c);
    expect(native).toEqual(stock);
  });

  it('answers a batch of over 64 kB (written answer by answer) with the text of each answer', async () => {
    // tRPC's adapter refuses this many paths (Fastify's maxParamLength), so the reference is the
    // native handler's own single answer, which the corpus above holds to tRPC's.
    const single = await send('trpc', { name: '', url: `services.list?${q({ limit: 100 })}` });
    const calls = 80;
    const inputs = Object.fromEntries(Array.from({ length: calls }, (_, i) => [String(i), { limit: 100 }]));
    const url = `/trpc/${Array.from({ length: calls }, () => 'services.list').join(',')}?batch=1&${q(inputs)}`;
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(Number(response.headers['content-length'])).toBeGreaterThan(64 * 1024);
    expect(response.body).toBe(JSON.stringify(Array.from({ length: calls }, () => single.body)));
  });

  it('keeps the errorFormatter’s envelope: code, httpStatus, path and field errors', async () => {
    const { status, body } = await send('trpc', { name: '', url: `services.get?${q({ slug: 'Bad Slug!' })}` });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: {
        message: 'Input validation failed',
        code: -32600,
        data: { code: 'BAD_REQUEST', httpStatus: 400, path: 'services.get', errors: [{ pointer: '/slug' }] },
      },
    });
  });
});

describe('@trpc/client against the native handler', () => {
  const clients = () => ({
    batch: createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${baseUrl}/trpc` })] }),
    single: createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/trpc` })] }),
  });

  it.each(['batch', 'single'] as const)('queries and mutates through %s link', async (kind) => {
    const client = clients()[kind];
    const [list, one, status] = await Promise.all([
      client.services.list.query({ tier: 'high' }),
      client.services.get.query({ slug: 'auth-api' }),
      client.status.get.query(),
    ]);
    expect(list.items.map((s) => s.slug)).toEqual(['payments-api']);
    expect(one).toMatchObject({ slug: 'auth-api', status: 'major_outage' });
    expect(status.indicator).toBe('major_outage');
    const created = await client.heartbeats.create.mutate({ slug: 'payments-api', status: 'up', latencyMs: 5 });
    expect(created).toMatchObject({ serviceSlug: 'payments-api', status: 'up', latencyMs: 5, observedAt: NOW.toISOString() });
  });

  it.each(['batch', 'single'] as const)('surfaces errors with tRPC codes and field errors through %s link', async (kind) => {
    const client = clients()[kind];
    const [missing, invalid] = await Promise.allSettled([
      client.services.get.query({ slug: 'ghost-api' }),
      client.heartbeats.create.mutate({ slug: 'auth-api', status: 'up', latencyMs: -5 }),
    ]);
    expect(missing.status).toBe('rejected');
    const notFound = missing.status === 'rejected' ? (missing.reason as unknown) : undefined;
    expect(notFound).toBeInstanceOf(TRPCClientError);
    expect((notFound as TRPCClientError<AppRouter>).data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, path: 'services.get' });
    const validation = invalid.status === 'rejected' ? (invalid.reason as TRPCClientError<AppRouter>) : undefined;
    expect(validation?.data).toMatchObject({ code: 'BAD_REQUEST', errors: [{ pointer: '/latencyMs' }] });
  });
});
