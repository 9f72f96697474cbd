import { listRestOperations, REST_BASE_PATH } from '@bastion/api/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, type TsChild } from './testing/child-process.js';
import { CONTROLS_CORPUS, fillPath, IDENTITY_CORPUS, operationKey, REST_CORPUS } from './testing/rest-corpus.js';
import { createApiClient, MINUTE, OpenApiResponseValidator, startTestApp, T0, type TestApp } from './testing/test-app.js';

/**
 * Our native REST routes against trpc-to-openapi's own handler, on the same router: every
 * operation's success path must answer the same status and body. Each side has its own empty
 * database and is seeded the same way, by the corpus itself. Both clocks are pinned per request
 * (ours through the test clock, the reference through an `x-test-now` header). Generated ids
 * differ between the two databases, so uuids are replaced by their order of first appearance and
 * cursors are compared decoded, with their uuids replaced the same way.
 */
let ours: TestApp;
let reference: TsChild & { value: number };

beforeAll(async () => {
  [ours, reference] = await Promise.all([
    startTestApp(),
    spawnTs('src/testing/reference-server.ts', {
      ready: (line) => {
        const match = /^\{"port":(\d+)\}$/.exec(line);
        return match ? Number(match[1]) : undefined;
      },
      timeoutMs: 110_000,
    }),
  ]);
  // A fresh process compiles TypeScript and migrates PGlite before it listens: slow on a busy box.
}, 120_000);
afterAll(async () => {
  await Promise.all([ours.close(), reference.stop()]);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rewrites one side's responses so ids and cursors compare across databases. */
function createNormaliser() {
  const ids = new Map<string, string>();
  const normalise = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (UUID.test(value)) {
        if (!ids.has(value)) ids.set(value, `<uuid ${ids.size + 1}>`);
        return ids.get(value);
      }
      if (key === 'nextCursor') return { cursor: normalise(JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))) };
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => normalise(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
    }
    return value;
  };
  return (value: unknown) => normalise(value);
}

interface Answer {
  status: number;
  mediaType: string | null;
  body: unknown;
}

const mediaTypeOf = (headers: Headers) => headers.get('content-type')?.split(';')[0]?.trim() ?? null;

describe('differential: our REST routes vs trpc-to-openapi’s handler', () => {
  it('the corpus reaches every REST operation', () => {
    const templates = listRestOperations().map((op) => op.path);
    // Identity and controls operations are exercised by their corpora (rest.test.ts), not compared here.
    const covered = new Set([...REST_CORPUS, ...IDENTITY_CORPUS, ...CONTROLS_CORPUS].map((r) => operationKey(r.method, r.path, templates)));
    const missing = listRestOperations().map((op) => `${op.method} ${op.path}`).filter((key) => !covered.has(key));
    expect(missing).toEqual([]);
  });

  it('the reference really is trpc-to-openapi: its errors are tRPC-shaped, not problems', async () => {
    const res = await fetch(`http://127.0.0.1:${reference.value}${REST_BASE_PATH}/services/ghost`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code?: string; message?: string };
    expect(body.code).toBe('NOT_FOUND');
    expect(body.message).toContain('ghost');
  });

  it('answers every request of the corpus with the same status, media type and body', async () => {
    const api = createApiClient(ours.baseUrl, new OpenApiResponseValidator(), ours.auth);
    const sides = {
      ours: { captured: new Map<string, string>(), normalise: createNormaliser() },
      reference: { captured: new Map<string, string>(), normalise: createNormaliser() },
    };
    for (const [index, request] of REST_CORPUS.entries()) {
      const at = new Date(T0.getTime() + index * MINUTE);
      const body = request.body === undefined ? {} : { body: request.body };
      ours.clock.set(at);
      const [ourAnswer, referenceAnswer] = await Promise.all([
        api(request.method, fillPath(request.path, sides.ours.captured), body).then(
          (res): Answer => ({ status: res.status, mediaType: mediaTypeOf(res.headers), body: res.body }),
        ),
        fetch(`http://127.0.0.1:${reference.value}${REST_BASE_PATH}${fillPath(request.path, sides.reference.captured)}`, {
          method: request.method,
          headers: { 'x-test-now': at.toISOString(), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        }).then(async (res): Promise<Answer> => {
          const text = await res.text();
          return { status: res.status, mediaType: mediaTypeOf(res.headers), body: text === '' ? undefined : (JSON.parse(text) as unknown) };
        }),
      ]);

      const where = `#${index} ${request.method} ${request.path}`;
      expect(ourAnswer.status, `${where}: ${JSON.stringify(ourAnswer.body)}`).toBeLessThan(300);
      expect(ourAnswer.status, where).toBe(referenceAnswer.status);
      // A 204 has no body; trpc-to-openapi still labels it JSON.
      if (ourAnswer.status !== 204) expect(ourAnswer.mediaType, where).toBe(referenceAnswer.mediaType);
      expect(sides.ours.normalise(ourAnswer.body), where).toEqual(sides.reference.normalise(referenceAnswer.body));

      if (request.capture) {
        for (const [side, answer] of [[sides.ours, ourAnswer], [sides.reference, referenceAnswer]] as const) {
          const value = (answer.body as Record<string, unknown> | undefined)?.[request.capture.field];
          if (typeof value === 'string') side.captured.set(request.capture.as, value);
        }
      }
    }
  });
});
