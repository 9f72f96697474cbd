import { fieldErrorsOf, isInputValidationError, DomainProblem, type FieldError } from '@bastion/api';
import { generalProblemType, isProblemType, PROBLEM_TYPES, type Problem, type ProblemType } from '@bastion/api/openapi';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { DatabaseHandle } from '@bastion/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pingFailure } from './health/ping.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemInit {
  type: ProblemType;
  detail: string;
  errors?: FieldError[] | undefined;
  /** Overrides the type's usual status (e.g. 400 for a body that is not an object). */
  status?: number;
}

/** The RFC 9457 body for a request; `instance` is the path, `requestId` ties it to the log line. */
export function problemBody(request: FastifyRequest, init: ProblemInit): Problem {
  const { status, title } = PROBLEM_TYPES[init.type];
  return {
    type: `/problems/${init.type}`,
    title,
    status: init.status ?? status,
    detail: init.detail,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
    ...(init.errors && init.errors.length > 0 ? { errors: init.errors } : {}),
  };
}

/** Sends an RFC 9457 problem. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, init: ProblemInit) {
  const body = problemBody(request, init);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** PostgreSQL and driver errors that mean "the database is not there right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57P05', // idle_session_timeout
]);

/** True when an error, or anything in its `cause` chain, says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    // PGlite throws a plain Error without a code once closed (e.g. while shutting down).
    if (current instanceof Error && current.message === 'PGlite is closed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const DATABASE_UNREACHABLE: ProblemInit = { type: 'service-unavailable', detail: 'The database is unreachable; retry shortly.' };
/** What both faces tell a client to wait, in seconds, while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The tRPC face's form of the outage answer: 503 with the REST face's detail and Retry-After. */
export function databaseUnreachable(): TRPCError {
  const detail = DATABASE_UNREACHABLE.detail;
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: detail,
    cause: new DomainProblem('service-unavailable', detail, [], { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) }),
  });
}
const OUTAGE_PING_TIMEOUT_MS = 1_000;

/**
 * `problemFromTRPCError`, and for what would be a 500, one question to the database: a failure
 * while it does not answer is the outage, however the driver worded it (a connection dying under a
 * query surfaces in more shapes than any list of codes holds), and the client should retry.
 */
export async function problemForFailedCall(error: TRPCError, database: Pick<DatabaseHandle, 'ping'>): Promise<ProblemInit> {
  const problem = problemFromTRPCError(error);
  if (problem.type !== 'internal-error') return problem;
  return (await pingFailure(database, OUTAGE_PING_TIMEOUT_MS)) === undefined ? problem : DATABASE_UNREACHABLE;
}

/**
 * Maps a procedure's error to a problem. Known client errors keep their message; anything
 * unexpected becomes an opaque 500 (or 503 when the database is down) and is logged in full.
 */
export function problemFromTRPCError(error: TRPCError): ProblemInit {
  if (isInputValidationError(error)) {
    const errors = fieldErrorsOf(error);
    return {
      type: 'validation-error',
      detail: errors.map((e) => `${e.pointer || '(body)'}: ${e.detail}`).join('; '),
      errors,
    };
  }
  if (error.cause instanceof DomainProblem) {
    const status = getHTTPStatusCodeFromError(error);
    const { type } = error.cause;
    const known = isProblemType(type) && PROBLEM_TYPES[type].status === status ? type : generalProblemType(status);
    return { type: known ?? 'internal-error', detail: error.message, errors: error.cause.errors, status };
  }
  if (isDatabaseUnavailable(error)) return DATABASE_UNREACHABLE;
  const status = getHTTPStatusCodeFromError(error);
  if (status >= 500) return { type: 'internal-error', detail: 'An unexpected error occurred; the request id is in the server log.' };
  return { type: generalProblemType(status) ?? 'bad-request', detail: error.message, status };
}

export { TRPCError };
