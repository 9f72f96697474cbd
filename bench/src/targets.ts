import { BENCH_SLUG } from './fixtures.js';

/** The four endpoints of the issue, in the order a round runs them (the POST last: it adds rows). */
export const ENDPOINTS = ['get', 'list', 'status', 'post'] as const;
export type EndpointId = (typeof ENDPOINTS)[number];

export const ENDPOINT_LABELS: Record<EndpointId, string> = {
  get: '(1) GET services?tier=high&limit=5',
  list: '(3) GET services?limit=50',
  status: '(4) GET status',
  post: '(2) POST heartbeat',
};

/** The servers the harness starts; several targets can share one (REST and tRPC share Bastion's). */
export type ServerId = 'bastion-pg' | 'bastion-pg-bare' | 'bastion-pglite' | 'fastify' | 'node-http' | 'fastapi';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Procedure calls one HTTP request makes (10 for a tRPC batch). */
  calls: number;
}

export interface Target {
  id: string;
  label: string;
  server: ServerId;
  requests: Record<EndpointId, RequestSpec>;
}

const getQuery = { tier: 'high', limit: 5 } as const;
const listQuery = { limit: 50 } as const;
const heartbeat = { status: 'up', latencyMs: 12 } as const;
const BATCH = 10;

const rest = (): Record<EndpointId, RequestSpec> => ({
  get: { method: 'GET', path: '/api/v1/services?tier=high&limit=5', calls: 1 },
  list: { method: 'GET', path: '/api/v1/services?limit=50', calls: 1 },
  status: { method: 'GET', path: '/api/v1/status', calls: 1 },
  post: { method: 'POST', path: `/api/v1/services/${BENCH_SLUG}/heartbeats`, body: JSON.stringify(heartbeat), calls: 1 },
});

/** `GET /trpc/a?input=…` exactly as @trpc/client's httpLink sends a query (no transformer). */
export function trpcQuery(path: string, input: unknown, prefix = '/trpc'): string {
  return input === undefined ? `${prefix}/${path}` : `${prefix}/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** `GET /trpc/a,a,…?batch=1&input={"0":…}` exactly as httpBatchLink sends n queries. */
export function trpcBatchQuery(path: string, input: unknown, n: number, prefix = '/trpc'): string {
  const inputs = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), input]));
  return `${prefix}/${Array.from({ length: n }, () => path).join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
}

const trpc = (prefix: string): Record<EndpointId, RequestSpec> => ({
  get: { method: 'GET', path: trpcQuery('services.list', getQuery, prefix), calls: 1 },
  list: { method: 'GET', path: trpcQuery('services.list', listQuery, prefix), calls: 1 },
  status: { method: 'GET', path: trpcQuery('status.get', undefined, prefix), calls: 1 },
  post: { method: 'POST', path: `${prefix}/heartbeats.create`, body: JSON.stringify({ slug: BENCH_SLUG, ...heartbeat }), calls: 1 },
});

const trpcBatch = (prefix: string): Record<EndpointId, RequestSpec> => ({
  get: { method: 'GET', path: trpcBatchQuery('services.list', getQuery, BATCH, prefix), calls: BATCH },
  list: { method: 'GET', path: trpcBatchQuery('services.list', listQuery, BATCH, prefix), calls: BATCH },
  status: { method: 'GET', path: trpcBatchQuery('status.get', undefined, BATCH, prefix), calls: BATCH },
  post: {
    method: 'POST',
    path: `${prefix}/${Array.from({ length: BATCH }, () => 'heartbeats.create').join(',')}?batch=1`,
    body: JSON.stringify(Object.fromEntries(Array.from({ length: BATCH }, (_, i) => [String(i), { slug: BENCH_SLUG, ...heartbeat }]))),
    calls: BATCH,
  },
});

/**
 * Every target of the comparison. Ratios are taken against `fastapi` and `fastify`. The *bare*
 * Bastion rows run without auth, rate limits, controls and metrics (`BENCH_WITHOUT`): every call
 * is the bench key's principal and still writes its audit row; the others run as deployed.
 */
export const TARGETS: Target[] = [
  // Like for like with the baselines, which authenticate, limit, control and measure nothing.
  { id: 'bastion-rest-bare', label: 'Bastion REST (bare)', server: 'bastion-pg-bare', requests: rest() },
  { id: 'bastion-trpc-bare', label: 'Bastion tRPC (bare)', server: 'bastion-pg-bare', requests: trpc('/trpc') },
  // As deployed: API key auth, rate limits, controls and metrics on.
  { id: 'bastion-rest', label: 'Bastion REST', server: 'bastion-pg', requests: rest() },
  { id: 'bastion-trpc', label: 'Bastion tRPC', server: 'bastion-pg', requests: trpc('/trpc') },
  { id: 'bastion-trpc-batch', label: 'Bastion tRPC batch×10', server: 'bastion-pg', requests: trpcBatch('/trpc') },
  { id: 'bastion-trpc-stock', label: 'Bastion tRPC (stock adapter)', server: 'bastion-pg', requests: trpc('/trpc-stock') },
  { id: 'bastion-trpc-stock-batch', label: 'Bastion tRPC batch×10 (stock)', server: 'bastion-pg', requests: trpcBatch('/trpc-stock') },
  { id: 'fastify', label: 'native Fastify', server: 'fastify', requests: rest() },
  { id: 'node-http', label: 'raw node:http', server: 'node-http', requests: rest() },
  { id: 'fastapi', label: 'FastAPI+uvicorn', server: 'fastapi', requests: rest() },
  { id: 'bastion-rest-pglite', label: 'Bastion REST (PGlite)', server: 'bastion-pglite', requests: rest() },
];
