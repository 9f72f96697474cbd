import type { AppRouter, ErrorData } from '@bastion/api';
import { ControlsRuntime, defaultRateLimits, procedureCatalogue } from '@bastion/api/controls';
import { appRouter } from '@bastion/api';
import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';

/**
 * The runtime controls over HTTP, on both faces: REST through `app.inject`, tRPC through the
 * official client against the listening server. The app trusts X-Forwarded-For from 127.0.0.1
 * only, so each test picks the client address it is counted and blocked by.
 */
let database: DatabaseHandle;
let app: FastifyInstance;
let controls: ControlsRuntime;
let creds: TestCredentials;
let baseUrl: string;

beforeAll(async () => {
  database = await openTestDatabase();
  controls = await ControlsRuntime.start({
    db: database.db,
    catalogue: procedureCatalogue(appRouter),
    defaults: defaultRateLimits({ anonymousPerMinute: 300, principalPerMinute: 1200 }),
    pollIntervalMs: 600_000,
  });
  app = await buildApp({ database, logger: false, hardening: { maxEventLoopDelayMs: 0 }, controls, trustProxy: ['127.0.0.1'] });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await app.close();
  await controls.close();
  await database.close();
});
afterEach(async () => {
  await database.db.delete(schema.controlSwitches);
  await database.db.delete(schema.controlBlocks);
  await database.db.delete(schema.controlTargetLimits);
  await database.db.delete(schema.controlsState);
  await controls.reload();
});

const inject = (options: InjectOptions) => app.inject(options);
const asOperator = (options: InjectOptions) => app.inject({ ...options, headers: { ...creds.operator, ...(options.headers as Record<string, string> | undefined) } });
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function trpc(headers: Record<string, string>) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/trpc`, headers })] });
}

/** The error the official client threw, with our `problemType` and the HTTP status. */
async function trpcFailure(call: Promise<unknown>): Promise<ErrorData & { httpStatus: number; code: string }> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<AppRouter>).data as unknown as ErrorData & { httpStatus: number; code: string };
}

async function setSwitch(target: string, state: 'off' | 'read-only', retryAfterSeconds = 45) {
  const response = await asOperator({ method: 'PUT', url: `/api/v1/controls/switches/${encodeURIComponent(target)}`, payload: { state, retryAfterSeconds, reason: 'drill' } });
  expect(response.statusCode, response.body).toBe(200);
}

async function setLimits(limits: { anonymous: Record<'read' | 'write' | 'auth', number>; principal: Record<'read' | 'write' | 'auth', number> }) {
  const response = await asOperator({ method: 'PUT', url: '/api/v1/controls/rate-limits', payload: limits });
  expect(response.statusCode, response.body).toBe(200);
}

describe('kill switch', () => {
  it('a module switched off answers 503 module-disabled with Retry-After on REST and tRPC; the rest keeps working', async () => {
    await setSwitch('incidents', 'off');
    const rest = await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer });
    expect(rest.statusCode).toBe(503);
    expect(rest.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(rest.headers['retry-after']).toBe('45');
    expect(rest.json()).toMatchObject({ type: '/problems/module-disabled', status: 503, detail: expect.stringContaining('drill') as string });

    const raw = await inject({ method: 'GET', url: '/trpc/incidents.list?input=%7B%7D', headers: creds.viewer });
    expect(raw.statusCode).toBe(503);
    expect(raw.headers['retry-after']).toBe('45');
    const data = await trpcFailure(trpc(creds.viewer).incidents.list.query({}));
    expect(data).toMatchObject({ httpStatus: 503, code: 'SERVICE_UNAVAILABLE', problemType: 'module-disabled' });

    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer })).statusCode).toBe(200);
    await expect(trpc(creds.viewer).services.list.query({})).resolves.toMatchObject({ items: [] });
  });

  it('one procedure switched off: the rest of its module answers', async () => {
    await setSwitch('incidents.create', 'off');
    const create = await inject({ method: 'POST', url: '/api/v1/incidents', headers: creds.admin, payload: {} });
    expect(create.statusCode).toBe(503);
    expect(create.json()).toMatchObject({ type: '/problems/module-disabled' });
    expect((await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer })).statusCode).toBe(200);
    const data = await trpcFailure(trpc(creds.admin).incidents.create.mutate({} as never));
    expect(data.problemType).toBe('module-disabled');
  });

  it('health, readiness, the status page, sign-in and the controls answer whatever is switched off', async () => {
    const targets = (await asOperator({ method: 'GET', url: '/api/v1/controls' })).json<{ targets: string[] }>().targets;
    for (const module of new Set(targets.map((t) => t.split('.')[0] ?? t))) await setSwitch(module, 'off');
    await setSwitch('*', 'read-only');
    expect((await inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: creds.viewer })).statusCode).toBe(200);
    const login = await inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email: creds.users.viewer.email, password: creds.users.viewer.password } });
    expect(login.statusCode).toBe(200);
    expect((await asOperator({ method: 'DELETE', url: '/api/v1/controls/switches/services' })).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer })).statusCode).toBe(200);
  });

  it.each(['status', 'auth', 'auth.login', 'controls', 'controls.get'])('refuses to switch %s off (422)', async (target) => {
    const response = await asOperator({ method: 'PUT', url: `/api/v1/controls/switches/${target}`, payload: { state: 'off' } });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ type: '/problems/validation-error', errors: [{ pointer: '/target' }] });
  });
});

describe('read-only mode', () => {
  it('the whole API: queries work, mutations answer 503 read-only on both faces; sign-in stays open', async () => {
    await setSwitch('*', 'read-only', 30);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer })).statusCode).toBe(200);
    const rest = await inject({ method: 'POST', url: '/api/v1/services', headers: creds.admin, payload: { slug: 'x', name: 'X' } });
    expect(rest.statusCode).toBe(503);
    expect(rest.headers['retry-after']).toBe('30');
    expect(rest.json()).toMatchObject({ type: '/problems/read-only' });
    const data = await trpcFailure(trpc(creds.admin).services.create.mutate({} as never));
    expect(data).toMatchObject({ httpStatus: 503, problemType: 'read-only' });
    const login = await inject({ method: 'POST', url: '/api/v1/auth/session', payload: { email: creds.users.admin.email, password: creds.users.admin.password } });
    expect(login.statusCode).toBe(200);
  });

  it('one module: its reads work, its writes are refused, other modules write', async () => {
    await setSwitch('incidents', 'read-only');
    expect((await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer })).statusCode).toBe(200);
    expect((await inject({ method: 'POST', url: '/api/v1/incidents', headers: creds.admin, payload: {} })).statusCode).toBe(503);
    // Reaches the procedure, which refuses the empty body on its own terms.
    expect((await inject({ method: 'POST', url: '/api/v1/services', headers: creds.admin, payload: {} })).statusCode).toBe(422);
  });
});

describe('rate limits', () => {
  const limits = (read: number, auth = 100) => ({ anonymous: { read, write: 100, auth }, principal: { read, write: 100, auth } });

  it('REST: RateLimit headers on every limited response, then 429 rate-limited with Retry-After', async () => {
    await setLimits(limits(3));
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.10') });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"anonymous-read";q=3;w=60');
      remaining.push(/r=(\d+)/.exec(String(ok.headers.ratelimit))?.[1] ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.10') });
    expect(over.statusCode).toBe(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(over.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['ratelimit-policy']).toBe('"anonymous-read";q=3;w=60');
    expect(over.headers.ratelimit).toMatch(/^"anonymous-read";r=0;t=\d+$/);
    // Another address has its own budget.
    expect((await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.11') })).statusCode).toBe(200);
  });

  it('tRPC: the same headers and a 429 whose data says rate-limited', async () => {
    await setLimits(limits(2));
    const url = '/trpc/status.get';
    for (let i = 0; i < 2; i++) {
      const ok = await inject({ method: 'GET', url, headers: from('198.51.100.20') });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"anonymous-read";q=2;w=60');
      expect(ok.headers.ratelimit).toMatch(/^"anonymous-read";r=\d+;t=\d+$/);
    }
    const over = await inject({ method: 'GET', url, headers: from('198.51.100.20') });
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers.ratelimit).toMatch(/r=0;/);
    expect(over.json<{ error: { data: ErrorData } }>().error.data.problemType).toBe('rate-limited');
    const data = await trpcFailure(trpc(from('198.51.100.20')).status.get.query());
    expect(data).toMatchObject({ httpStatus: 429, problemType: 'rate-limited' });
  });

  it('a live change takes effect on the next request', async () => {
    await setLimits(limits(1));
    expect((await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.30') })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.30') })).statusCode).toBe(429);
    await setLimits(limits(5));
    const after = await inject({ method: 'GET', url: '/api/v1/status', headers: from('198.51.100.30') });
    expect(after.statusCode).toBe(200);
    expect(after.headers['ratelimit-policy']).toBe('"anonymous-read";q=5;w=60');
  });

  it('signed-in callers are counted per key, not per address', async () => {
    await setLimits(limits(2));
    for (let i = 0; i < 2; i++) {
      const ok = await inject({ method: 'GET', url: '/api/v1/services', headers: { ...creds.viewer, ...from(`198.51.100.${40 + i}`) } });
      expect(ok.headers['ratelimit-policy']).toBe('"principal-read";q=2;w=60');
    }
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: { ...creds.viewer, ...from('198.51.100.49') } })).statusCode).toBe(429);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.admin })).statusCode).toBe(200);
  });

  it('the token endpoint is in the auth class', async () => {
    await setLimits(limits(100, 1));
    const token = () =>
      inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...from('198.51.100.50') },
        payload: 'grant_type=password&username=nobody%40bastion.test&password=wrong-password',
      });
    const first = await token();
    expect(first.statusCode).toBe(400);
    expect(first.headers['ratelimit-policy']).toBe('"anonymous-auth";q=1;w=60');
    const second = await token();
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ type: '/problems/rate-limited' });
  });
});

describe('per-target rate limits', () => {
  const limitTarget = (target: string, payload: Record<string, unknown>) =>
    asOperator({ method: 'PUT', url: `/api/v1/controls/target-limits/${encodeURIComponent(target)}`, payload });

  it('throttles one module on both faces (one budget): 429 rate-limited naming the target policy; other modules answer; a live change applies', async () => {
    const set = await limitTarget('incidents', { perMinute: 3, reason: 'stolen key' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ target: 'incidents', perMinute: 3, reason: 'stolen key', changedBy: { kind: 'apiKey' } });

    for (let i = 0; i < 2; i++) {
      const ok = await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"principal-read";q=1200;w=60, "target-incidents";q=3;w=60');
    }
    // The tRPC face spends the same budget: its third call is the last one allowed.
    const viaTrpc = await inject({ method: 'GET', url: '/trpc/incidents.list?input=%7B%7D', headers: creds.viewer });
    expect(viaTrpc.statusCode).toBe(200);
    expect(viaTrpc.headers.ratelimit).toMatch(/"target-incidents";r=0;t=\d+$/);

    const rest = await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer });
    expect(rest.statusCode).toBe(429);
    expect(rest.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(rest.json()).toMatchObject({ type: '/problems/rate-limited', status: 429, detail: expect.stringContaining('`incidents` (stolen key)') as string });
    expect(Number(rest.headers['retry-after'])).toBeGreaterThan(0);
    expect(rest.headers['ratelimit-policy']).toContain('"target-incidents";q=3;w=60');
    expect(rest.headers.ratelimit).toMatch(/"target-incidents";r=0;t=\d+$/);
    const raw = await inject({ method: 'POST', url: '/trpc/incidents.create', headers: { ...creds.viewer, 'content-type': 'application/json' }, payload: {} });
    expect(raw.statusCode).toBe(429);
    expect(raw.headers['ratelimit-policy']).toBe('"principal-write";q=1200;w=60, "target-incidents";q=3;w=60');
    expect(Number(raw.headers['retry-after'])).toBeGreaterThan(0);
    const data = await trpcFailure(trpc(creds.viewer).incidents.list.query({}));
    expect(data).toMatchObject({ httpStatus: 429, problemType: 'rate-limited' });

    // Other modules, and other callers of this one, are unaffected.
    const services = await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer });
    expect(services.statusCode).toBe(200);
    expect(services.headers['ratelimit-policy']).toBe('"principal-read";q=1200;w=60');
    await expect(trpc(creds.viewer).services.list.query({})).resolves.toMatchObject({ items: [] });
    expect((await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.admin })).statusCode).toBe(200);

    expect((await limitTarget('incidents', { perMinute: 50 })).statusCode).toBe(200);
    const raised = await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer });
    expect(raised.statusCode).toBe(200);
    expect(raised.headers['ratelimit-policy']).toContain('"target-incidents";q=50;w=60');
    expect((await limitTarget('incidents', { perMinute: 1 })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer })).statusCode).toBe(429);
    expect((await asOperator({ method: 'DELETE', url: '/api/v1/controls/target-limits/incidents' })).statusCode).toBe(204);
    const lifted = await inject({ method: 'GET', url: '/api/v1/incidents', headers: creds.viewer });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.headers['ratelimit-policy']).toBe('"principal-read";q=1200;w=60');
  });

  it('a procedure limit counts anonymous callers per address and leaves the module\'s other procedures alone', async () => {
    expect((await limitTarget('services.list', { perMinute: 1 })).statusCode).toBe(200);
    // Counted ahead of the access check: an anonymous flood is throttled before it costs a 401.
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: from('198.51.100.60') })).statusCode).toBe(401);
    const anonymous = await inject({ method: 'GET', url: '/api/v1/services', headers: from('198.51.100.60') });
    expect(anonymous.statusCode).toBe(429);
    expect(anonymous.headers['ratelimit-policy']).toBe('"anonymous-read";q=300;w=60, "target-services.list";q=1;w=60');
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: from('198.51.100.61') })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.operator })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.operator })).statusCode).toBe(429);
    const other = await inject({ method: 'GET', url: '/api/v1/services/00000000-0000-4000-8000-000000000000', headers: creds.operator });
    expect(other.statusCode).toBe(404);
    expect(other.headers['ratelimit-policy']).toBe('"principal-read";q=1200;w=60');
  });

  it('refuses targets that must always answer (422), names that match nothing (404), bad limits (422) and callers without controls:write (403)', async () => {
    for (const target of ['*', 'status', 'auth', 'auth.login', 'controls', 'controls.get']) {
      const response = await limitTarget(target, { perMinute: 5 });
      expect(response.statusCode, target).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/validation-error', errors: [{ pointer: '/target' }] });
    }
    expect((await limitTarget('nope', { perMinute: 5 })).statusCode).toBe(404);
    for (const payload of [{ perMinute: 0 }, { perMinute: 'lots' }, {}, { perMinute: 5, extra: true }]) {
      const response = await limitTarget('incidents', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/validation-error' });
    }
    const viewer = await inject({ method: 'PUT', url: '/api/v1/controls/target-limits/incidents', headers: creds.viewer, payload: { perMinute: 5 } });
    expect(viewer.statusCode).toBe(403);
    expect((await asOperator({ method: 'DELETE', url: '/api/v1/controls/target-limits/incidents' })).statusCode).toBe(404);
  });

  it('GET /controls lists the limits in force; the change is audited and documented', async () => {
    expect((await limitTarget('incidents.create', { perMinute: 7, reason: 'flood' })).statusCode).toBe(200);
    const body = (await asOperator({ method: 'GET', url: '/api/v1/controls' })).json<{
      targetLimits: { target: string; perMinute: number; reason: string }[];
      recentChanges: { action: string; target: string; result: string }[];
    }>();
    expect(body.targetLimits).toEqual([expect.objectContaining({ target: 'incidents.create', perMinute: 7, reason: 'flood' })]);
    expect(body.recentChanges[0]).toMatchObject({ action: 'controls.targetLimits.set', target: 'incidents.create', result: 'success' });
    const document = (await inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { 'x-required-scopes'?: string[] }>> }>();
    expect(document.paths['/controls/target-limits/{target}']?.put?.['x-required-scopes']).toEqual(['controls:write']);
    expect(document.paths['/controls/target-limits/{target}']?.delete?.['x-required-scopes']).toEqual(['controls:write']);
  });
});

describe('block list', () => {
  it('an API key: 403 blocked on both faces at once; lifted, it works again', async () => {
    const created = await asOperator({ method: 'POST', url: '/api/v1/controls/blocks', payload: { kind: 'apiKey', value: creds.users.viewer.apiKeyId, reason: 'stolen' } });
    expect(created.statusCode, created.body).toBe(201);
    const rest = await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer });
    expect(rest.statusCode).toBe(403);
    expect(rest.json()).toMatchObject({ type: '/problems/blocked', detail: expect.stringContaining('stolen') as string });
    const data = await trpcFailure(trpc(creds.viewer).services.list.query({}));
    expect(data).toMatchObject({ httpStatus: 403, problemType: 'blocked' });
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.admin })).statusCode).toBe(200);

    const lifted = await asOperator({ method: 'DELETE', url: `/api/v1/controls/blocks/${created.json<{ id: string }>().id}` });
    expect(lifted.statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer })).statusCode).toBe(200);
  });

  it('an address range: blocked by the address a trusted proxy forwards, on both faces and the token endpoint', async () => {
    expect((await asOperator({ method: 'POST', url: '/api/v1/controls/blocks', payload: { kind: 'ip', value: '10.0.0.0/8' } })).statusCode).toBe(201);
    const rest = await inject({ method: 'GET', url: '/api/v1/status', headers: from('10.20.30.40') });
    expect(rest.statusCode).toBe(403);
    expect(rest.json()).toMatchObject({ type: '/problems/blocked' });
    const data = await trpcFailure(trpc(from('10.20.30.40')).status.get.query());
    expect(data.problemType).toBe('blocked');
    const token = await inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from('10.1.1.1') },
      payload: 'grant_type=password&username=a%40b.c&password=x',
    });
    expect(token.statusCode).toBe(403);
    expect((await inject({ method: 'GET', url: '/api/v1/status', headers: from('11.0.0.1') })).statusCode).toBe(200);
  });

  it('an untrusted client cannot pick its address with X-Forwarded-For', async () => {
    expect((await asOperator({ method: 'POST', url: '/api/v1/controls/blocks', payload: { kind: 'ip', value: '192.0.2.0/24' } })).statusCode).toBe(201);
    // The socket address is what counts when the peer is not a trusted proxy.
    const spoofed = await inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '192.0.2.7', headers: from('203.0.113.1') });
    expect(spoofed.statusCode).toBe(403);
    const escaped = await inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '198.18.0.1', headers: from('192.0.2.7') });
    expect(escaped.statusCode).toBe(200);
  });
});

describe('the controls resource', () => {
  it('GET shows switches, limits, blocks and who changed what; every change is in the audit log', async () => {
    await setSwitch('incidents', 'off');
    await setLimits({ anonymous: { read: 50, write: 10, auth: 5 }, principal: { read: 500, write: 100, auth: 20 } });
    const body = (await asOperator({ method: 'GET', url: '/api/v1/controls' })).json<{
      switches: { target: string; changedBy: { label: string } }[];
      rateLimits: { source: string; principal: { read: number } };
      recentChanges: { action: string; actor: { label: string }; result: string; target: string }[];
    }>();
    // The operator calls with its API key: the key is the actor, named as the audit log names it.
    const operatorKey = { kind: 'apiKey', id: creds.users.operator.apiKeyId, label: 'operator-test-key' };
    expect(body.switches).toEqual([expect.objectContaining({ target: 'incidents', changedBy: operatorKey })]);
    expect(body.rateLimits).toMatchObject({ source: 'override', principal: { read: 500 } });
    expect(body.recentChanges.slice(0, 2).map((c) => [c.action, c.actor.label, c.result])).toEqual([
      ['controls.rateLimits.set', operatorKey.label, 'success'],
      ['controls.switches.set', operatorKey.label, 'success'],
    ]);
    const audit = await inject({ method: 'GET', url: '/api/v1/audit?action=controls.switches.set', headers: creds.admin });
    expect(audit.json<{ items: { target: string; result: string }[] }>().items[0]).toMatchObject({ target: 'incidents', result: 'success' });
  });

  it('viewers may not read the controls; operators may change them', async () => {
    expect((await inject({ method: 'GET', url: '/api/v1/controls', headers: creds.viewer })).statusCode).toBe(403);
    expect((await inject({ method: 'GET', url: '/api/v1/controls' })).statusCode).toBe(401);
    expect((await asOperator({ method: 'GET', url: '/api/v1/controls' })).statusCode).toBe(200);
  });

  it('the new problem types are documented at /problems/{type} and in the OpenAPI document', async () => {
    for (const type of ['module-disabled', 'read-only', 'rate-limited', 'blocked']) {
      expect((await inject({ method: 'GET', url: `/problems/${type}` })).statusCode).toBe(200);
    }
    const document = (await inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { 'x-required-scopes'?: string[]; responses: Record<string, { description: string }> }>> }>();
    expect(document.paths['/controls']?.get?.['x-required-scopes']).toEqual(['controls:read']);
    expect(document.paths['/controls/switches/{target}']?.put?.['x-required-scopes']).toEqual(['controls:write']);
    expect(document.paths['/services']?.get?.responses['503']?.description).toContain('/problems/module-disabled');
    expect(document.paths['/services']?.get?.responses['429']?.description).toContain('/problems/rate-limited');
  });
});
