import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { listRestOperations, PROBLEM_TYPES, REST_BASE_PATH, TOKEN_PATH } from '@bastion/api/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, stringContaining, type TestApp } from '../testing/test-app.js';

const SERVER_ROOT = resolve(import.meta.dirname, '../..');

interface ResponseObject {
  description: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface OperationObject {
  operationId?: string;
  responses: Record<string, ResponseObject>;
}
interface Document {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

let t: TestApp;
let document: Document;
let documentText: string;

beforeAll(async () => {
  t = await startTestApp();
  const res = await fetch(`${t.baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  documentText = await res.text();
  document = JSON.parse(documentText) as Document;
});
afterAll(async () => {
  await t.close();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser resolves and validates it)', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.servers).toEqual([{ url: REST_BASE_PATH }]);
    // validate() dereferences in place: give it its own copy.
    const api = await SwaggerParser.validate(JSON.parse(documentText) as Exclude<Parameters<typeof SwaggerParser.validate>[0], string>);
    expect(api.info.title).toBe('Bastion API');
  });

  it('lints clean with redocly (recommended rules, see redocly.yaml for the one turned off)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bastion-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, documentText);
      const result = await promisify(execFile)(
        join(SERVER_ROOT, 'node_modules/.bin/redocly'),
        ['lint', file, '--format=json', `--config=${join(SERVER_ROOT, 'redocly.yaml')}`],
        {
          cwd: dir,
          // No network here: no telemetry, no update check.
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', CI: 'true' },
          timeout: 60_000,
        },
      ).catch((error: unknown) => {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        return { stdout: stdout ?? '', stderr: stderr ?? String(error) };
      });
      const report = JSON.parse(result.stdout) as { problems: { severity: string; ruleId: string; message: string; location: { pointer: string }[] }[] };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
      expect(errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('documents every REST route the server has, and nothing it does not', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    const operations = listRestOperations().map((op) => `${op.method} ${op.path}`);
    // The OAuth2 token endpoint is a native route (form-encoded, RFC 6749 errors), documented by hand.
    expect(documented.sort()).toEqual([...operations, `POST ${TOKEN_PATH}`].sort());
    expect(t.app.hasRoute({ method: 'POST', url: `${REST_BASE_PATH}${TOKEN_PATH}` })).toBe(true);
    for (const op of listRestOperations()) {
      const url = `${REST_BASE_PATH}${op.path.replace(/\{(\w+)\}/g, ':$1')}`;
      expect(t.app.hasRoute({ method: op.method, url }), `${op.method} ${url}`).toBe(true);
    }
  });

  it('documents for every operation its real success status and each error status it can answer, as a Problem', () => {
    for (const op of listRestOperations()) {
      const where = `${op.method} ${op.path}`;
      const responses = document.paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {};
      const expected = new Set<number>([500, 503]);
      if (op.pathParameters.length > 0) expected.add(404).add(422);
      if (['POST', 'PATCH', 'PUT'].includes(op.method)) [400, 413, 415, 422].forEach((s) => expected.add(s));
      const statuses = Object.keys(responses).map(Number);
      expect(statuses, where).toContain(op.successStatus);
      expect(statuses, where).not.toContain(op.successStatus === 200 ? 201 : 200);
      for (const status of expected) expect(statuses, `${where} documents ${status}`).toContain(status);

      const success = responses[String(op.successStatus)];
      if (op.successStatus === 204) expect(success?.content, where).toBeUndefined();
      else expect(Object.keys(success?.content ?? {}), where).toEqual(['application/json']);
      for (const status of statuses.filter((s) => s >= 400)) {
        expect(responses[String(status)]?.content, `${where} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
    }
    expect(document.components?.schemas).toHaveProperty('Problem');
  });

  it('names the statuses of the operations that create, delete and conflict', () => {
    const statuses = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(statuses('/services', 'post')).toEqual(expect.arrayContaining(['201', '400', '409', '413', '415', '422']));
    expect(statuses('/services/{slug}', 'delete')).toEqual(expect.arrayContaining(['204', '404', '409']));
    expect(statuses('/services/{slug}/heartbeats', 'post')).toEqual(expect.arrayContaining(['201', '404', '422']));
    expect(statuses('/incidents', 'post')).toEqual(expect.arrayContaining(['201', '422']));
    expect(statuses('/incidents/{id}/updates', 'post')).toEqual(expect.arrayContaining(['201', '404', '409', '422']));
  });
});

describe('/docs', () => {
  it('serves Swagger UI from local files: no CDN, no inline script', async () => {
    const res = await fetch(`${t.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/https?:\/\//);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/src="\/docs\//);
      expect(body.trim()).toBe('');
    }
    const assets = [...html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/bastion-init.js']));
    for (const asset of assets) {
      const file = await fetch(`${t.baseUrl}${asset}`);
      expect(file.status, asset).toBe(200);
      expect(file.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /^text\/css/ : /javascript/);
      const text = await file.text();
      expect(text.length, asset).toBeGreaterThan(asset.endsWith('bastion-init.js') ? 50 : 1000);
    }
  });

  it('points Swagger UI at /openapi.json and never serves the petstore index', async () => {
    expect(await (await fetch(`${t.baseUrl}/docs/bastion-init.js`)).text()).toContain("url: '/openapi.json'");
    expect((await fetch(`${t.baseUrl}/docs/index.html`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/docs/swagger-initializer.js`)).status).toBe(404);
  });
});

describe('/problems/{type}', () => {
  it('describes validation-error, and every other problem type the API uses', async () => {
    const res = await fetch(`${t.baseUrl}/problems/validation-error`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      type: '/problems/validation-error',
      status: 422,
      title: 'Validation failed',
      description: stringContaining('errors'),
    });
    for (const [type, known] of Object.entries(PROBLEM_TYPES)) {
      const page = await fetch(`${t.baseUrl}/problems/${type}`);
      expect(page.status, type).toBe(200);
      expect(await page.json()).toMatchObject({ type: `/problems/${type}`, status: known.status, title: known.title });
    }
  });

  it('answers an unknown type with a 404 problem', async () => {
    const res = await fetch(`${t.baseUrl}/problems/made-up`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
  });
});

describe('health', () => {
  it('/healthz answers 200 while the process is up', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 with the database engine, then 503 with Retry-After once the database is closed', async () => {
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: t.database.kind });

    // Last test of the file: it breaks the app's database for good.
    await t.database.close();
    const unready = await fetch(`${t.baseUrl}/readyz`);
    expect(unready.status).toBe(503);
    expect(unready.headers.get('retry-after')).toBe('5');
    expect(await unready.json()).toEqual({ status: 'unavailable', database: t.database.kind });
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });
});
