import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { StoreError, createStore, type HeartbeatBody, type ListServicesQuery } from './store.js';

/**
 * The floor: the benchmarked endpoints on bare `node:http`, with hand-written checks equal to the
 * published JSON Schemas, `JSON.stringify` for output and `store.ts`'s SQL. Nothing between the
 * socket and the database but what the endpoint needs.
 *
 * Env: PORT, DATABASE_URL (required).
 */

const TIERS = new Set(['critical', 'high', 'medium', 'low']);
const STATUSES = new Set(['operational', 'unknown', 'degraded', 'partial_outage', 'major_outage']);
const HEARTBEAT_STATUSES = new Set(['up', 'degraded', 'down']);
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
const HEARTBEAT_KEYS = new Set(['status', 'latencyMs', 'message', 'observedAt']);

class Invalid extends Error {}

function parseQuery(params: URLSearchParams): ListServicesQuery {
  const tier = params.get('tier') ?? undefined;
  const status = params.get('status') ?? undefined;
  const q = params.get('q') ?? undefined;
  const cursor = params.get('cursor') ?? undefined;
  const limitText = params.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (tier !== undefined && !TIERS.has(tier)) throw new Invalid('tier');
  if (status !== undefined && !STATUSES.has(status)) throw new Invalid('status');
  if (q !== undefined && q.length > 100) throw new Invalid('q');
  if (cursor !== undefined && cursor.length > 512) throw new Invalid('cursor');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Invalid('limit');
  return { tier: tier as ListServicesQuery['tier'], status: status as ListServicesQuery['status'], q, cursor, limit };
}

function parseHeartbeat(body: unknown): HeartbeatBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Invalid('body');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!HEARTBEAT_KEYS.has(key)) throw new Invalid(key);
  const { status, latencyMs, message, observedAt } = record;
  if (typeof status !== 'string' || !HEARTBEAT_STATUSES.has(status)) throw new Invalid('status');
  if (latencyMs !== undefined && (!Number.isInteger(latencyMs) || (latencyMs as number) < 0 || (latencyMs as number) > 3_600_000)) {
    throw new Invalid('latencyMs');
  }
  if (message !== undefined && (typeof message !== 'string' || message.length > 1000)) throw new Invalid('message');
  if (observedAt !== undefined && (typeof observedAt !== 'string' || !DATE_TIME.test(observedAt))) throw new Invalid('observedAt');
  return record as unknown as HeartbeatBody;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => { resolve(text); });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const store = createStore(databaseUrl);
const HEARTBEATS = /^\/api\/v1\/services\/([^/]+)\/heartbeats$/;

async function handle(request: IncomingMessage, response: ServerResponse) {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  try {
    if (request.method === 'GET' && path === '/readyz') { send(response, 200, { status: 'ready' }); return; }
    if (request.method === 'GET' && path === '/api/v1/services') {
      send(response, 200, await store.listServices(parseQuery(new URLSearchParams(q === -1 ? '' : url.slice(q + 1))))); return;
    }
    if (request.method === 'GET' && path === '/api/v1/status') { send(response, 200, await store.statusSummary()); return; }
    const heartbeat = request.method === 'POST' ? HEARTBEATS.exec(path) : null;
    if (heartbeat) {
      const slug = decodeURIComponent(heartbeat[1] ?? '');
      if (slug.length < 2 || slug.length > 63 || !SLUG.test(slug)) throw new Invalid('slug');
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request));
      } catch {
        send(response, 400, { status: 400, detail: 'Malformed JSON' }); return;
      }
      send(response, 201, await store.recordHeartbeat(slug, parseHeartbeat(body))); return;
    }
    send(response, 404, { status: 404, detail: 'Not found' }); return;
  } catch (error) {
    if (error instanceof Invalid) { send(response, 422, { status: 422, detail: `Invalid ${error.message}` }); return; }
    if (error instanceof StoreError) { send(response, error.status, { status: error.status, detail: error.message }); return; }
    send(response, 500, { status: 500, detail: 'Internal error' }); return;
  }
}

const server = createServer((request, response) => void handle(request, response));
server.keepAliveTimeout = 65_000;

const close = () => {
  server.close();
  server.closeAllConnections();
  void store.close().then(() => process.exit(0));
};
process.once('SIGTERM', close);
process.once('SIGINT', close);

server.listen(Number(process.env.PORT ?? 4102), '127.0.0.1');
