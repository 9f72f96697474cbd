import { createOpenApiDocument, REST_BASE_PATH } from '@bastion/api/openapi';
import type { Database, DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../app.js';
import { seedCredentials, type TestCredentials } from './credentials.js';

/** The instant every test starts at; tests move it with `clock.set` / `clock.advance`. */
export const T0 = new Date('2025-06-01T12:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A clock tests pin and move; the app's procedures read it through `ctx.now`. */
export interface TestClock {
  now(): Date;
  set(at: Date): void;
  advance(ms: number): Date;
  reset(): void;
}

export function createTestClock(start: Date = T0): TestClock {
  let current = start;
  return {
    now: () => current,
    set: (at) => {
      current = at;
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
      return current;
    },
    reset: () => {
      current = start;
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  clock: TestClock;
  /** `http://127.0.0.1:<port>`: the app listens on an ephemeral port for real-HTTP tests. */
  baseUrl: string;
  /**
   * Headers that authenticate as an admin (an API key with every scope). Send them on every call
   * that is not about authentication itself; `createApiClient` takes them as its default headers.
   */
  auth: Record<string, string>;
  /** Seeded admin/operator/viewer users and their keys; undefined when the database cannot be written. */
  credentials: TestCredentials | undefined;
  /** Closes the app, then the database unless it was passed in. */
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  /** A database to serve; by default a fresh `openTestDatabase()` that `close()` also closes. */
  database?: DatabaseHandle;
  bodyLimit?: number;
}

/**
 * For every app a test builds: load shedding reads event-loop delay, which a busy test machine (and
 * PGlite working on the loop) inflates past the 3 s default, so tests of the API would get 503s because
 * the box is loaded. Shedding itself is tested with its own thresholds in hardening.test.ts.
 */
export const TEST_HARDENING = { maxEventLoopDelayMs: 0 } as const;

/**
 * Builds the real app (logger off, clock pinned at `T0`) on a migrated empty test database and
 * listens on 127.0.0.1:0. Call it once per test file in `beforeAll`: PGlite's first open is slow.
 *
 * @example
 * let t: TestApp;
 * beforeAll(async () => { t = await startTestApp(); });
 * afterAll(() => t.close());
 */
export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const ownsDatabase = !options.database;
  const database = options.database ?? closeOnce(await openTestDatabase());
  const clock = createTestClock();
  const app = await buildApp({
    database,
    logger: false,
    now: () => clock.now(),
    hardening: TEST_HARDENING,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  let credentials: TestCredentials | undefined;
  try {
    credentials = await seedCredentials(database.db);
  } catch {
    // A deliberately broken database: send a well-formed key, so each request reaches the database.
    credentials = undefined;
  }
  return {
    app,
    database,
    clock,
    baseUrl,
    auth: credentials?.admin ?? { 'x-api-key': `bst_000000000000_${'A'.repeat(43)}` },
    credentials,
    close: async () => {
      await app.close();
      if (ownsDatabase) await database.close();
    },
  };
}

/** The same handle, whose `close` may be called again (a test closes it early to break the app). */
function closeOnce(handle: DatabaseHandle): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return { ...handle, close: () => (closing ??= handle.close()) };
}

/**
 * A database whose every use throws `error`, as a driver failing mid-query would: for tests that
 * an unexpected failure stays opaque to clients. `ping` and `close` succeed.
 */
export function createFailingDatabase(error: () => Error, ping: () => Promise<void> = async () => undefined): DatabaseHandle {
  // A stand-in, not a drizzle instance: no real one fails on every property access.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const db = new Proxy({}, {
    get() {
      throw error();
    },
  }) as Database;
  return { db, kind: 'pglite', client: null, ping, close: async () => undefined };
}

/** `expect.stringContaining` typed as the string it stands for, for use inside typed literals. */
export function stringContaining(text: string): string {
  return expect.stringContaining(text) as string;
}

/** A response as the tests see it: status, headers, raw text and the parsed JSON body (if any). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

type OpenApiDocument = ReturnType<typeof createOpenApiDocument>;

interface DocumentedOperation {
  /** Path template under the REST base, e.g. `/services/{slug}`. */
  template: string;
  method: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const DOCUMENT_ID = 'https://bastion.test/openapi.json';
const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Checks responses against the OpenAPI document: finds the documented operation of a request
 * (method + path template), requires the status to be documented on it, the content type to be
 * one it documents, and the body to match that status's schema (`$ref`s resolve inside the
 * document). Requests that reach no operation (unknown route, wrong method) must be problems.
 */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly operations: DocumentedOperation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD /template STATUS` of every response that passed, for coverage checks. */
  readonly seen = new Set<string>();

  /**
   * @param knownGaps `METHOD /template STATUS` the code is known to answer although the document
   * does not list it: such a response must still be a valid Problem. Keep it empty; each entry is
   * a bug to fix in the operation's meta.
   */
  constructor(
    readonly document: OpenApiDocument = createOpenApiDocument(),
    readonly knownGaps: ReadonlySet<string> = new Set(),
  ) {
    // strict: false because OpenAPI adds keywords JSON Schema does not know (`example`, …).
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...structuredClone(document), $id: DOCUMENT_ID });
    for (const [template, item] of Object.entries(document.paths ?? {})) {
      // The server ignores a trailing slash, so the same operation answers with or without one.
      const source = `^${REST_BASE_PATH}${template.replace(/\{\w+\}/g, '[^/]+')}/?$`;
      for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
        if (!isOperation(operation)) continue;
        this.operations.push({ template, method: method.toUpperCase(), pattern: new RegExp(source), responses: operation.responses });
      }
    }
  }

  /** The documented operation a request reaches, if any. */
  operationOf(method: string, path: string): DocumentedOperation | undefined {
    const pathname = path.split('?')[0] ?? path;
    return this.operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(pathname));
  }

  /** Every problem with a response, or `[]` when it is what the document promises. */
  check(method: string, path: string, response: ApiResponse): string[] {
    const operation = this.operationOf(method, path);
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!operation) {
      // No operation: only a problem may answer (404 unknown route, 405 wrong method).
      if (contentType !== 'application/problem+json') return [`${method} ${path}: expected a problem, got ${contentType}`];
      return this.validate('#/components/schemas/Problem', response.body);
    }
    const where = `${operation.method} ${operation.template} → ${response.status}`;
    const documented = operation.responses[String(response.status)];
    if (!documented) {
      const key = `${operation.method} ${operation.template} ${response.status}`;
      if (this.knownGaps.has(key) && contentType === 'application/problem+json') {
        this.seen.add(key);
        return this.validate('#/components/schemas/Problem', response.body);
      }
      return [`${where}: status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    }
    const content = documented.content;
    if (!content) {
      if (response.text !== '') return [`${where}: documented without a body but sent ${response.text.length} bytes`];
      this.seen.add(`${operation.method} ${operation.template} ${response.status}`);
      return [];
    }
    if (!(contentType in content)) return [`${where}: content type "${contentType}" is not documented (${Object.keys(content).join(', ')})`];
    const pointer = ['#', 'paths', operation.template, operation.method.toLowerCase(), 'responses', String(response.status), 'content', contentType, 'schema']
      .map((segment, index) => (index === 0 ? segment : escapePointer(segment)))
      .join('/');
    const problems = this.validate(pointer, response.body).map((message) => `${where}: ${message}`);
    if (problems.length === 0) this.seen.add(`${operation.method} ${operation.template} ${response.status}`);
    return problems;
  }

  private validate(pointer: string, body: unknown): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  }
}

function isOperation(value: unknown): value is { responses: DocumentedOperation['responses'] } {
  return typeof value === 'object' && value !== null && 'responses' in value;
}

export interface RequestOptions {
  body?: unknown;
  /** A raw body sent as is (malformed JSON, wrong content type). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The path is from the server root, not under `/api/v1` (paths starting `/api/` always are). */
  fromRoot?: boolean;
}

/**
 * A small HTTP client for the REST face that checks every response against the document before
 * handing it back: a response the document does not promise fails the test that sent it.
 * `T` is what the caller expects the body to be; the schema check above is what makes that safe.
 */
export function createApiClient(baseUrl: string, validator: OpenApiResponseValidator, defaultHeaders: Record<string, string> = {}) {
  return async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = options.fromRoot === true || path.startsWith('/api/') ? path : `${REST_BASE_PATH}${path}`;
    const headers: Record<string, string> = { ...defaultHeaders, ...options.headers };
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${url}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : parseJson(text);
    const result = { status: response.status, headers: response.headers, text, body: parsed };
    const problems = validator.check(method, url, result);
    if (problems.length > 0) {
      throw new Error(`Response does not match the OpenAPI document:\n  ${problems.join('\n  ')}\nBody: ${text.slice(0, 2000)}`);
    }
    return result as ApiResponse<T>;
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Response body is not JSON: ${text.slice(0, 200)}`);
  }
}
