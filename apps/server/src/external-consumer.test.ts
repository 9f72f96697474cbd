import { readFile } from 'node:fs/promises';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { GENERATED_TYPES_PATH, generateOpenApiTypes } from './testing/generate-openapi-types.js';
import type { paths } from './testing/generated/bastion-openapi.js';
import { MINUTE, startTestApp, T0, type TestApp } from './testing/test-app.js';

/**
 * A client in another codebase knows only /openapi.json: it generates types with
 * openapi-typescript and calls us with openapi-fetch. These calls are type-checked against the
 * committed generated types, and the first test keeps those in step with the document.
 */
let t: TestApp;
let client: ReturnType<typeof createClient<paths>>;

beforeAll(async () => {
  t = await startTestApp();
  client = createClient<paths>({ baseUrl: `${t.baseUrl}/api/v1`, headers: t.auth });
});
afterAll(async () => {
  await t.close();
});

describe('generated types', () => {
  it('are what openapi-typescript makes from the current document (regenerate when this fails)', async () => {
    const committed = await readFile(GENERATED_TYPES_PATH, 'utf8');
    const fresh = await generateOpenApiTypes();
    expect(committed === fresh, 'stale: run `pnpm --filter @bastion/server generate:openapi-types` and commit the file').toBe(true);
  });
});

describe('an openapi-fetch client', () => {
  it('creates a service, reports a heartbeat, lists services and reads the status', async () => {
    const created = await client.POST('/services', {
      body: { slug: 'payments-api', name: 'Payments API', tier: 'critical', owner: 'team-payments' },
    });
    expect(created.response.status).toBe(201);
    expect(created.error).toBeUndefined();
    expect(created.data).toMatchObject({ slug: 'payments-api', tier: 'critical', status: 'operational', createdAt: T0.toISOString() });
    expectTypeOf(created.data?.status).toEqualTypeOf<'operational' | 'unknown' | 'degraded' | 'partial_outage' | 'major_outage' | undefined>();

    t.clock.advance(MINUTE);
    const heartbeat = await client.POST('/services/{slug}/heartbeats', {
      params: { path: { slug: 'payments-api' } },
      body: { status: 'down', latencyMs: 5000, message: 'timeouts' },
    });
    expect(heartbeat.response.status).toBe(201);
    expect(heartbeat.data).toMatchObject({ serviceSlug: 'payments-api', status: 'down', observedAt: t.clock.now().toISOString() });

    const list = await client.GET('/services', { params: { query: { limit: 5, tier: 'critical' } } });
    expect(list.response.status).toBe(200);
    expect(list.data?.items.map((s) => [s.slug, s.status, s.lastHeartbeatAt])).toEqual([['payments-api', 'major_outage', t.clock.now().toISOString()]]);
    expect(list.data?.nextCursor).toBeNull();

    const status = await client.GET('/status');
    expect(status.response.status).toBe(200);
    expect(status.data).toMatchObject({ indicator: 'major_outage', services: [{ slug: 'payments-api', status: 'major_outage' }], openIncidents: [] });
  });

  it('gets problems typed as the documented Problem, with field pointers', async () => {
    const missing = await client.GET('/services/{slug}', { params: { path: { slug: 'ghost' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expect(missing.error).toMatchObject({ type: '/problems/not-found', status: 404 });
    expectTypeOf(missing.error?.errors).toEqualTypeOf<{ pointer: string; detail: string }[] | undefined>();

    const invalid = await client.POST('/services', {
      // @ts-expect-error — the generated types know the tiers; the server refuses it all the same.
      body: { slug: 'web', name: 'Web', tier: 'urgent' },
    });
    expect(invalid.response.status).toBe(422);
    expect(invalid.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(invalid.error?.errors?.map((e) => e.pointer)).toEqual(['/tier']);
  });

  it('deletes with a 204 and no data', async () => {
    await client.POST('/services', { body: { slug: 'temp', name: 'Temp', tier: 'low' } });
    const deleted = await client.DELETE('/services/{slug}', { params: { path: { slug: 'temp' } } });
    expect(deleted.response.status).toBe(204);
    expect(deleted.error).toBeUndefined();
    expect((await client.GET('/services/{slug}', { params: { path: { slug: 'temp' } } })).response.status).toBe(404);
  });
});
