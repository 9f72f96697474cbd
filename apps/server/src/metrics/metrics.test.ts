import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials } from '../testing/credentials.js';
import { createMetrics } from './metrics.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await openTestDatabase();
});

afterAll(async () => {
  await database.close();
});

it('counts each request by procedure and status, and times it', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const app = await buildApp({ database, logger: false, metrics });
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
