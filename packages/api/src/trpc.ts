import { getTRPCErrorFromUnknown, initTRPC, TRPCError } from '@trpc/server';
import type { Database } from '@bastion/db';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ANONYMOUS, type Principal } from './auth/principal.js';
import type { AuthRuntime } from './auth/runtime.js';
import type { Scope } from './auth/scopes.js';
import { conflict, DomainProblem, fieldErrorsOf, forbidden, invalidInput, isInputValidationError, unauthorized, type FieldError } from './common/errors.js';
import { nulCharacterPointer } from './common/unstorable-text.js';
import { callIdempotently } from './idempotency/idempotent-call.js';
import { idempotencyScope, invalidIdempotencyKey, parseIdempotencyKey, requestFingerprint } from './idempotency/idempotency-key.js';
import { auditRecordOf, writeAudit, type AuditEvent, type AuditRecord, type AuditResult } from './modules/audit/audit.service.js';
import type { ControlsRuntime, ResponseHeaders } from './modules/controls/controls.runtime.js';

/** Credentials were presented but refused; protected procedures answer with this instead of running. */
export interface CredentialError {
  code: 'UNAUTHORIZED' | 'FORBIDDEN';
  message: string;
}

/** What the server lets a procedure do to the HTTP response: the dashboard session cookies. */
export interface SessionCookies {
  set(session: { token: string; csrfToken: string; expiresAt: Date }): void;
  clear(): void;
}

/** A request's `Idempotency-Key` header, as the server found it (mutations honour it). */
export interface IdempotencyKeyHeader {
  /** The raw header value; the middleware validates it. */
  value: string;
  /** Called when the answer is a replay of a stored one; the server adds `Idempotent-Replayed: true`. */
  onReplay?: () => void;
}

/** What every procedure gets: the database and a clock (tests pin it), and who is calling. */
export interface Context {
  db: Database;
  now: () => Date;
  /** The request id the server assigned, for logs and audit rows. */
  requestId?: string;
  /** Who is calling; absent means anonymous. The server resolves it once per request. */
  principal?: Principal;
  /** Set when the request carried credentials that were refused (bad token, revoked key, missing CSRF token). */
  credentialError?: CredentialError;
  /** The client address, for audit rows and login throttling. */
  ip?: string;
  /** Signing keys and throttles; needed only by the auth procedures. */
  auth?: AuthRuntime;
  /** Present on HTTP requests; `auth.login`/`auth.logout` set and clear the session cookie with it. */
  sessionCookies?: SessionCookies;
  /** Present when the request sent `Idempotency-Key`: a mutation then runs at most once per key. */
  idempotencyKey?: IdempotencyKeyHeader;
  /**
   * Kill switches, read-only mode, rate limits and the block list, checked before every call.
   * The server always sets it; in-process callers (jobs, seeds, router tests) may leave it out.
   */
  controls?: ControlsRuntime;
  /** Present on HTTP requests: headers for the response, on both faces (RateLimit). */
  responseHeaders?: ResponseHeaders;
}

/**
 * Who may call a procedure: exactly one of `scopes` (all required; `[]` = any authenticated
 * principal) or `public: true`. A procedure with neither is refused at run time and fails the
 * authorization test over the whole router.
 */
// A type alias, not an interface: trpc-to-openapi's meta needs an index signature.
export type AccessMeta = {
  scopes?: Scope[];
  public?: true;
  /**
   * `true`: only a signed-in user (a session or a user's access token) may call it, never an API
   * key, whatever its scopes. For what only the person may do, such as changing their password.
   */
  usersOnly?: true;
};

/**
 * Per-procedure metadata. `openapi` is trpc-to-openapi's REST contract (method, path, tags);
 * `successStatus` and `errorStatuses` complete it, since trpc-to-openapi knows only 200 and a
 * few error codes. `scopes`/`public` declare access, once, for both faces and the docs.
 */
export type Meta = OpenApiMeta<
  AccessMeta & {
    /** HTTP status of a successful REST call (default 200; 204 sends no body). */
    successStatus?: 200 | 201 | 204;
    /** Error statuses this operation can answer beyond those every operation can (see openapi.ts). */
    errorStatuses?: number[];
    /**
     * `false`: this mutation refuses `Idempotency-Key` (400) because its answer cannot be
     * replayed: it holds a secret shown once (a password, an API key), which must never be
     * stored, or its effect is a session cookie.
     */
    idempotencyKeys?: false;
  }
>;

export interface ErrorData {
  /** Field errors as JSON Pointers into the input, for forms. */
  errors: FieldError[];
  /** The problem type, as on the REST face (`module-disabled`, `rate-limited` …), when there is one. */
  problemType?: string;
}

/**
 * What a client may read of an error: a deliberate error's own message, but never the text of an
 * unexpected one (drivers put SQL and parameters there); the server log has it in full.
 */
function publicMessage(error: TRPCError, message: string): string {
  if (isInputValidationError(error)) return 'Input validation failed';
  if (error.code === 'INTERNAL_SERVER_ERROR') return 'Internal server error';
  return message;
}

/**
 * What a mutation may add to its audit row (the middleware writes the row): the target it acted
 * on, facts worth keeping (never secrets), and — for a login — the principal it became.
 */
export interface AuditNote {
  target?: string;
  detail?: Record<string, unknown>;
  actor?: Principal;
  /**
   * This call's success row, answering `output`, for a mutation that writes the row in the
   * statement (or transaction) that does its work, so that the call waits for one commit, not
   * two. Once taken, the middleware writes no success row: the row must be written with the work
   * or not at all (work not done means the mutation throws, and the middleware writes a failure).
   */
  takeSuccessRow(output: unknown): AuditRecord;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      return {
        ...shape,
        message: publicMessage(error, shape.message),
        data: {
          ...shape.data,
          stack: undefined,
          errors: fieldErrorsOf(error),
          ...(error.cause instanceof DomainProblem ? { problemType: error.cause.type } : {}),
        } satisfies ErrorData &
          typeof shape.data,
      };
    },
  });

/** PostgreSQL: unique_violation, foreign_key_violation. */
const CONSTRAINT_VIOLATIONS = new Set(['23505', '23503']);

function constraintViolation(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONSTRAINT_VIOLATIONS.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** `public`, `scopes` (and whether only users may call), or null when the procedure declares neither (or both). */
export function accessOf(meta: Meta | undefined): { public: true } | { public: false; scopes: Scope[]; usersOnly: boolean } | null {
  const declaresPublic = meta?.public === true;
  const scopes = meta?.scopes;
  if (declaresPublic === (scopes !== undefined)) return null;
  // `usersOnly` narrows who holds the scopes; on a public procedure it would mean nothing.
  if (declaresPublic && meta.usersOnly) return null;
  return declaresPublic ? { public: true } : { public: false, scopes: scopes ?? [], usersOnly: meta?.usersOnly === true };
}

/** Why `principal` may not call a procedure with `access`, or null when it may. */
function denial(ctx: Context, principal: Principal, path: string, access: ReturnType<typeof accessOf>): TRPCError | null {
  if (!access) {
    // Fail closed: an undeclared procedure is a bug, and nobody may call it.
    return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `Procedure ${path} declares no access (meta.scopes or meta.public).` });
  }
  if (access.public) return null;
  if (ctx.credentialError) {
    return ctx.credentialError.code === 'FORBIDDEN'
      ? forbidden(ctx.credentialError.message)
      : unauthorized(ctx.credentialError.message, true);
  }
  if (principal.kind === 'anonymous') {
    return unauthorized('Authentication required: send a bearer token, an X-API-Key, or sign in.');
  }
  if (access.usersOnly && principal.kind !== 'user') {
    return forbidden('Only a signed-in user may do this (a session or a user’s access token), not an API key.');
  }
  const missing = access.scopes.filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) {
    return forbidden(`This operation needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`, missing);
  }
  return null;
}

function targetOf(rawInput: unknown, output: unknown): string | undefined {
  for (const value of [rawInput, output]) {
    if (typeof value !== 'object' || value === null) continue;
    const record = value as Record<string, unknown>;
    for (const key of ['slug', 'id', 'target']) {
      const field = record[key];
      if (typeof field === 'string' && field.length <= 200) return field;
    }
  }
  return undefined;
}

/**
 * Every call's gate, in the order a call meets it:
 * - the runtime controls: the block list (403), kill switches and read-only mode (503), then the
 *   rate limit (429, with RateLimit headers on every limited response) — before the access check,
 *   so a flood is refused without touching the audit log;
 * - the access check, for both faces (REST routes call the same procedures): the procedure's
 *   declared scopes, read from its meta, or UNAUTHORIZED (no or bad credentials) or FORBIDDEN (a
 *   scope is missing). Every mutation — done, failed or refused — writes one audit row;
 * - then the call itself (`callLetThrough`).
 * One middleware rather than one per concern: tRPC copies a call's options at every middleware
 * level, and its whole context at every `next({ ctx })`, which made five small middlewares the
 * largest single cost of a call in the benchmark.
 */
const gate = t.middleware(async function gate(opts) {
  const { ctx, meta, path, type } = opts;
  const principal = ctx.principal ?? ANONYMOUS;
  if (ctx.controls) await ctx.controls.enforce({ path, type, principal, ip: ctx.ip, at: ctx.now() }, ctx.responseHeaders);
  const denied = denial(ctx, principal, path, accessOf(meta));
  const eventOf = (input: unknown, result: AuditResult, error: TRPCError | undefined, output: unknown): AuditEvent => ({
    actor: note.actor ?? principal,
    action: path,
    target: note.target ?? targetOf(input, output),
    result,
    detail: error ? { ...note.detail, error: error.code } : note.detail,
    requestId: ctx.requestId,
    ip: ctx.ip,
  });
  let rawInput: unknown;
  // An object, not a boolean: flow analysis cannot see the assignment inside the note's method.
  const successRow = { taken: false };
  const note: AuditNote = {
    takeSuccessRow(output) {
      successRow.taken = true;
      return auditRecordOf(ctx, eventOf(rawInput, 'success', undefined, output));
    },
  };

  /**
   * - Text the database cannot store is the caller's mistake (422 at the field), not a failed statement.
   * - `Idempotency-Key` on mutations: the call runs in a transaction that also stores the key and
   *   the output, so a retry replays the output instead of doing the work twice. After the access
   *   check, so a refused call never touches the key; a failure's audit row is written outside
   *   the transaction and survives its rollback (a success row a mutation takes commits with it).
   * - Two requests racing (a delete against a new dependency, two creates of one slug) can pass
   *   the services' checks and then meet a database constraint: a conflict (409), not a 500.
   */
  const callLetThrough = async () => {
    rawInput = await opts.getRawInput();
    const pointer = nulCharacterPointer(rawInput);
    if (pointer !== undefined) {
      throw invalidInput('Text must not contain the NUL character (U+0000).', [
        { pointer, detail: 'Must not contain the NUL character (U+0000): it cannot be stored.' },
      ]);
    }
    const header = type === 'mutation' ? ctx.idempotencyKey : undefined;
    const result = header ? await callIdempotentlyWith(header) : await opts.next({ ctx: { audit: note, db: ctx.db } });
    if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && constraintViolation(result.error.cause)) {
      throw conflict('The request conflicts with a concurrent change; reload and retry.');
    }
    return result;
  };
  const callIdempotentlyWith = async (header: IdempotencyKeyHeader) => {
    if (meta?.idempotencyKeys === false) {
      throw invalidIdempotencyKey(
        `${path} does not accept an Idempotency-Key: its answer cannot be replayed (it holds a secret shown once, or sets the session cookie). Send it without the header.`,
      );
    }
    const request = {
      db: ctx.db,
      now: ctx.now,
      scope: idempotencyScope(principal),
      key: parseIdempotencyKey(header.value),
      procedure: path,
      fingerprint: requestFingerprint(path, await opts.getRawInput()),
    };
    const outcome = await callIdempotently(request, (db) => opts.next({ ctx: { audit: note, db } }));
    if (!outcome.replayed) return outcome.result;
    header.onReplay?.();
    note.detail = { ...note.detail, idempotentReplay: true };
    // tRPC has no public constructor for a middleware result; `ok` and `data` are all it reads.
    return { ok: true, data: outcome.data } as Awaited<ReturnType<typeof opts.next>>;
  };

  if (type !== 'mutation') {
    if (denied) throw denied;
    return callLetThrough();
  }
  const record = async (result: AuditResult, error: TRPCError | undefined, output: unknown) => {
    await writeAudit(ctx, eventOf(await opts.getRawInput().catch(() => undefined), result, error, output));
  };
  if (denied) {
    await record('denied', denied, undefined).catch(() => undefined);
    throw denied;
  }
  let result: Awaited<ReturnType<typeof callLetThrough>>;
  try {
    result = await callLetThrough();
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    // The mutation's own error is what the caller must see, even if the audit write fails too.
    await record('failure', error, undefined).catch(() => undefined);
    throw error;
  }
  if (result.ok) {
    if (!successRow.taken) await record('success', undefined, result.data);
  } else {
    await record('failure', result.error, undefined).catch(() => undefined);
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/**
 * The base of every procedure: the runtime controls come first (block list, kill switches,
 * read-only mode, rate limits); access is checked from `meta.scopes`/`meta.public` before the
 * input is parsed, and mutations are audited (with the error as the caller sees it, after
 * constraint violations became conflicts). Mutations get `ctx.audit` to enrich their row, and
 * honour `Idempotency-Key`.
 */
export const procedure = t.procedure.use(gate);
