import { ALL_SCOPES } from '@bastion/api/auth';
import type { Meta } from '@bastion/api';
import { createOpenApiDocument, listRestOperations, PROBLEM_TYPES, REST_BASE_PATH } from '@bastion/api/openapi';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

interface Operation {
  description?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, unknown> };
}

const document = createOpenApiDocument();
const paths = document.paths as Record<string, Record<string, Operation>>;

describe('the OpenAPI document states who may call what', () => {
  it('offers the three schemes: OAuth2 password (+ client credentials) at the token URL with every scope, bearer, API key', () => {
    const schemes = document.components?.securitySchemes as unknown as Record<string, Record<string, unknown>>;
    expect(schemes.OAuth2).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/api/v1/auth/token' }, clientCredentials: { tokenUrl: '/api/v1/auth/token' } },
    });
    expect(Object.keys((schemes.OAuth2 as { flows: { password: { scopes: object } } }).flows.password.scopes)).toEqual(ALL_SCOPES);
    expect(schemes.BearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it.each(listRestOperations().map((op) => [`${op.method} ${op.path}`, op] as const))('%s: security and 401/403 from its meta', (_name, operation) => {
    const op = paths[operation.path]?.[operation.method.toLowerCase()];
    expect(op).toBeDefined();
    const meta = operation.procedure._def.meta as Meta;
    if (meta.public) {
      expect(op?.security).toBeUndefined();
      if (!meta.errorStatuses?.includes(401)) expect(op?.responses['401']).toBeUndefined();
      return;
    }
    const scopes = meta.scopes ?? [];
    if (meta.usersOnly) {
      // Only users: no API key scheme, and the 403 an API key gets is documented.
      expect(op?.security).toEqual([{ OAuth2: scopes }, { BearerToken: scopes }]);
      expect(op?.description).toContain('API keys are refused');
    } else {
      expect(op?.security).toEqual([{ OAuth2: scopes }, { BearerToken: scopes }, { ApiKey: scopes }]);
    }
    expect(op?.responses['401']?.content?.['application/problem+json']?.schema.$ref).toBe('#/components/schemas/Problem');
    if (scopes.length > 0 || meta.usersOnly) expect(op?.responses['403']?.content?.['application/problem+json']?.schema.$ref).toBe('#/components/schemas/Problem');
  });

  it('documents the token endpoint as a form post with OAuth error responses', () => {
    const op = paths['/auth/token']?.post;
    expect(Object.keys(op?.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
  });

  it('has problem types for 401, 403 and 429', () => {
    expect(PROBLEM_TYPES.unauthorized.status).toBe(401);
    expect(PROBLEM_TYPES.forbidden.status).toBe(403);
    expect(PROBLEM_TYPES['too-many-requests'].status).toBe(429);
  });
});

describe('Swagger UI: Authorize, then Try it out', () => {
  let database: DatabaseHandle;
  let app: FastifyInstance;
  let creds: TestCredentials;
  beforeAll(async () => {
    database = await openTestDatabase();
    app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
    creds = await seedCredentials(database.db);
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('the OAuth2 password flow as Swagger UI sends it (form body, empty Basic client) yields a token that works', async () => {
    // swagger-ui's default "client credentials location" is basic: btoa(clientId + ":" + clientSecret) with both empty.
    const body = ['grant_type=password', `scope=${encodeURIComponent('services:read services:write')}`, `username=${encodeURIComponent(creds.users.operator.email)}`, `password=${encodeURIComponent(creds.users.operator.password)}`].join('&');
    const tokenUrl = (document.components?.securitySchemes as unknown as { OAuth2: { flows: { password: { tokenUrl: string } } } }).OAuth2.flows.password.tokenUrl;
    const response = await app.inject({ method: 'POST', url: tokenUrl, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(':').toString('base64')}` }, payload: body });
    expect(response.statusCode).toBe(200);
    const { access_token: token, token_type: type } = response.json<{ access_token: string; token_type: string }>();
    expect(type).toBe('bearer');
    const tryItOut = await app.inject({ method: 'POST', url: `${REST_BASE_PATH}/services`, headers: { authorization: `Bearer ${token}` }, payload: { slug: 'swagger-svc', name: 'From the docs', tier: 'low' } });
    expect(tryItOut.statusCode).toBe(201);
  });

  it('the client-credentials flow with an API key id and secret in Basic', async () => {
    const basic = Buffer.from(`${creds.users.viewer.apiKeyId}:${creds.users.viewer.apiKey}`).toString('base64');
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, payload: 'grant_type=client_credentials&scope=' });
    expect(response.statusCode).toBe(200);
    const tryItOut = await app.inject({ url: `${REST_BASE_PATH}/incidents`, headers: { authorization: `Bearer ${response.json<{ access_token: string }>().access_token}` } });
    expect(tryItOut.statusCode).toBe(200);
  });

  it('the API key scheme: X-API-Key header', async () => {
    expect((await app.inject({ url: `${REST_BASE_PATH}/services`, headers: creds.viewer })).statusCode).toBe(200);
  });

  it('serves a document with the schemes at /openapi.json', async () => {
    const served = (await app.inject({ url: '/openapi.json' })).json<typeof document>();
    expect(Object.keys(served.components?.securitySchemes ?? {})).toEqual(['OAuth2', 'BearerToken', 'ApiKey']);
  });
});
