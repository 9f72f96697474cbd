import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials } from '../testing/credentials.js';
import type { AddressInfo } from 'node:net';
import { createMetrics } from './metrics.js';
import { serveMetrics } from './metrics-server.js';
import { TrafficRecorder } from '@bastion/api/traffic';
import { TEST_HARDENING } from '../testing/test-app.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await openTestDatabase();
});

afterAll(async () => {
  await database.close();
});

it('counts each request by procedure and status, and times it', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, metrics });
  await app.inject({ method: 'GET', url: '/api/v1/status' });
  const creds = await seedCredentials(database.db);
  await app.inject({ method: 'GET', url: '/api/v1/services/nope', headers: creds.admin });
  await app.inject({ method: 'GET', url: '/random/scan/path' });
  const text = await metrics.registry.metrics();
  expect(text).toContain('bastion_http_requests_total{procedure="status.get",method="GET",status="200"} 1');
  expect(text).toContain('bastion_http_requests_total{procedure="services.get",method="GET",status="404"} 1');
  expect(text).toMatch(/bastion_http_request_duration_seconds_count\{procedure="status.get",method="GET"\} 1/);
  // an unmatched path is one series, not one per URL
  expect(text).not.toContain('/random/scan/path');
  await app.close();
});

it('feeds the Traffic page: answered requests, 401s included, read back summed over instances', async () => {
  const traffic = new TrafficRecorder({ db: database.db, instance: 'metrics-test' });
  const app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, traffic });
  const creds = await seedCredentials(database.db);
  await app.inject({ method: 'GET', url: '/api/v1/status' });
  await app.inject({ method: 'GET', url: '/api/v1/services' });
  await app.inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer });
  await traffic.flush();
  const response = await app.inject({ method: 'GET', url: '/api/v1/traffic?minutes=5', headers: creds.operator });
  expect(response.statusCode).toBe(200);
  const body = response.json<{ totals: { requests: number; status401: number }; procedures: { procedure: string; requests: number }[] }>();
  expect(body.totals.requests).toBeGreaterThanOrEqual(3);
  expect(body.totals.status401).toBeGreaterThanOrEqual(1);
  // (the first test's app wrote its own counts when it closed: only this test calls services.list)
  expect(body.procedures.find((p) => p.procedure === 'services.list')?.requests).toBe(2);
  expect(body.procedures.find((p) => p.procedure === 'status.get')?.requests).toBeGreaterThanOrEqual(1);
  const viewer = await app.inject({ method: 'GET', url: '/api/v1/traffic', headers: creds.viewer });
  expect(viewer.statusCode).toBe(403);
  await app.close();
});

it('serves the counts on its own port: requests, rate-limit hits by policy and auth failures by reason', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, metrics, traffic: false, controls: { principalPerMinute: 1 } });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const server = await serveMetrics(metrics, { port: 0, host: '127.0.0.1', log: app.log });
  try {
    const creds = await seedCredentials(database.db);
    expect((await fetch(`${base}/api/v1/services`, { headers: creds.viewer })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/services`, { headers: creds.viewer })).status).toBe(429);
    expect((await fetch(`${base}/api/v1/services`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/services`, { headers: { 'x-api-key': 'bst_not-a-real-key' } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/services`, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);

    const { port } = server.address() as AddressInfo;
    expect(port).not.toBe(new URL(base).port);
    const scrape = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toContain('bastion_http_requests_total{procedure="services.list",method="GET",status="200"} 1');
    expect(text).toContain('bastion_rate_limited_total{policy="principal-read"} 1');
    expect(text).toContain('bastion_auth_failures_total{reason="no_credentials"} 1');
    expect(text).toContain('bastion_auth_failures_total{reason="bad_api_key"} 1');
    expect(text).toContain('bastion_auth_failures_total{reason="bad_token"} 1');
    expect((await fetch(`http://127.0.0.1:${String(port)}/other`)).status).toBe(404);
  } finally {
    server.close();
    await app.close();
  }
});

it('attributes a request made with an API key to that key in the top callers, by id and name only', async () => {
  const traffic = new TrafficRecorder({ db: database.db, instance: 'callers-test' });
  const app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, traffic });
  const creds = await seedCredentials(database.db);
  for (let i = 0; i < 3; i += 1) await app.inject({ method: 'GET', url: '/api/v1/services', headers: creds.viewer });
  await app.inject({ method: 'GET', url: '/api/v1/services', headers: { 'x-api-key': 'bst_not-a-real-key' }, remoteAddress: '198.51.100.77' });
  await traffic.flush();
  const response = await app.inject({ method: 'GET', url: '/api/v1/traffic?minutes=5', headers: creds.operator });
  const { callers } = response.json<{ callers: { kind: string; id: string; name: string | null; requests: number; status4xx: number }[] }>();
  expect(callers.find((c) => c.kind === 'apiKey' && c.id === creds.users.viewer.apiKeyId)).toMatchObject({ name: 'viewer-test-key', requests: 3, status4xx: 0 });
  // A refused key is not the key's traffic: it is the address's.
  expect(callers.find((c) => c.kind === 'ip' && c.id === '198.51.100.77')).toMatchObject({ requests: 1, status4xx: 1 });
  expect(response.body).not.toContain(creds.users.viewer.apiKey);
  await app.close();
});
