import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { appRouter, type Meta } from '@bastion/api';
import { ALL_SCOPES, type Scope } from '@bastion/api/auth';
import { listRestOperations, REST_BASE_PATH } from '@bastion/api/openapi';
import type { DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { keyWithout, seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * Function-level authorization on both faces, over the whole router: every REST operation and
 * every tRPC procedure, called over HTTP as anonymous, viewer, operator, admin and a key lacking
 * exactly the required scopes. The expected answer comes from the procedure's declared scopes, so
 * a new procedure is covered the moment it exists (and packages/api's table makes it declare).
 */
let database: DatabaseHandle;
let app: FastifyInstance;
let creds: TestCredentials;
const lackingKeys = new Map<string, string>();

function scopesOf(meta: Meta | undefined): Scope[] | 'public' {
  if (meta?.public) return 'public';
  return meta?.scopes ?? [];
}

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildApp({ database, hardening: TEST_HARDENING, logger: false });
  creds = await seedCredentials(database.db);
  for (const procedure of Object.values((appRouter as AnyTRPCRouter)._def.procedures as Record<string, AnyTRPCProcedure>)) {
    const scopes = scopesOf(procedure._def.meta as Meta | undefined);
    const without = scopes === 'public' || scopes.length === 0 ? [] : scopes;
    const id = without.join(' ');
    if (!lackingKeys.has(id)) lackingKeys.set(id, await keyWithout(database.db, creds.users.admin, without));
  }
});
afterAll(async () => {
  await app.close();
  await database.close();
});

interface Caller {
  name: string;
  headers: (scopes: Scope[]) => Record<string, string>;
  has: (scopes: Scope[]) => boolean;
  /** Status when refused. */
  refused: 401 | 403;
}

/** Every caller but the anonymous one is an API key, which `meta.usersOnly` refuses whatever its scopes. */
function allowed(caller: Caller, scopes: Scope[], usersOnly: boolean): boolean {
  return caller.has(scopes) && !(usersOnly && caller.refused === 403);
}

/** What a 403 names: the first missing scope, or that API keys are not for this. */
const refusalDetail = (scopes: Scope[], usersOnly: boolean) => (usersOnly ? 'not an API key' : (scopes[0] ?? ''));

const callers: Caller[] = [
  { name: 'anonymous', headers: () => ({}), has: () => false, refused: 401 },
  { name: 'viewer', headers: () => creds.viewer, has: (s) => s.every((x) => ['services:read', 'incidents:read'].includes(x)), refused: 403 },
  {
    name: 'operator',
    headers: () => creds.operator,
    has: (s) => s.every((x) => !['users:manage', 'audit:read'].includes(x)),
    refused: 403,
  },
  { name: 'admin', headers: () => creds.admin, has: () => true, refused: 403 },
  {
    name: 'key lacking the scope',
    headers: (s) => ({ 'x-api-key': lackingKeys.get(s.join(' ')) ?? '' }),
    has: (s) => s.length === 0,
    refused: 403,
  },
];

const restOperations = listRestOperations();

describe.each(restOperations.map((op) => [`${op.method} ${op.path}`, op] as const))('REST %s', (_name, operation) => {
  const scopes = operation.access && !operation.access.public ? operation.access.scopes : 'public';
  const usersOnly = operation.access?.public === false && operation.access.usersOnly;
  it.each(callers.map((c) => [c.name, c] as const))('as %s', async (_caller, caller) => {
    const url = REST_BASE_PATH + operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'slug' ? 'no-such-thing' : '00000000-0000-4000-8000-000000000000'));
    const hasBody = ['POST', 'PATCH', 'PUT'].includes(operation.method);
    const response = await app.inject({
      method: operation.method,
      url,
      headers: caller.headers(scopes === 'public' ? [] : scopes),
      ...(hasBody ? { payload: {} } : {}),
    });
    if (scopes === 'public' || allowed(caller, scopes, usersOnly)) {
      expect([401, 403], response.body).not.toContain(response.statusCode);
    } else {
      expect(response.statusCode, response.body).toBe(caller.refused);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (caller.refused === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      if (caller.refused === 403) expect(response.json<{ detail: string }>().detail).toContain(refusalDetail(scopes, usersOnly));
    }
  });
});

const procedures = Object.entries((appRouter as AnyTRPCRouter)._def.procedures as Record<string, AnyTRPCProcedure>);

describe.each(procedures.map(([path, p]) => [path, p] as const))('tRPC %s', (path, procedure) => {
  const scopes = scopesOf(procedure._def.meta as Meta | undefined);
  const usersOnly = (procedure._def.meta as Meta | undefined)?.usersOnly === true;
  it.each(callers.map((c) => [c.name, c] as const))('as %s', async (_caller, caller) => {
    const headers = caller.headers(scopes === 'public' ? [] : scopes);
    const response =
      procedure._def.type === 'query'
        ? await app.inject({ method: 'GET', url: `/trpc/${path}?input=${encodeURIComponent('{"probe":1}')}`, headers })
        : await app.inject({ method: 'POST', url: `/trpc/${path}`, headers, payload: { probe: 1 } });
    if (scopes === 'public' || allowed(caller, scopes, usersOnly)) {
      expect([401, 403], response.body).not.toContain(response.statusCode);
    } else {
      expect(response.statusCode, response.body).toBe(caller.refused);
      const code = response.json<{ error: { data: { code: string } } }>().error.data.code;
      expect(code).toBe(caller.refused === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
    }
  });
});

describe('the table covers the router', () => {
  it('every scope the callers are built on exists', () => {
    expect(ALL_SCOPES).toEqual(expect.arrayContaining(['services:read', 'incidents:read', 'users:manage', 'audit:read']));
  });
  it('every procedure with meta.openapi has a REST route in the table', () => {
    expect(restOperations.map((o) => o.procedurePath).sort()).toEqual(
      procedures.filter(([, p]) => (p._def.meta as Meta | undefined)?.openapi).map(([path]) => path).sort(),
    );
  });
});
