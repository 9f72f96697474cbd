import { initTRPC, type TRPCError } from '@trpc/server';
import type { Database } from '@bastion/db';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { conflict, fieldErrorsOf, isInputValidationError, type FieldError } from './common/errors.js';

/** What every procedure gets: the database and a clock (tests pin it). */
export interface Context {
  db: Database;
  now: () => Date;
  /** The request id the server assigned, for logs and audit rows. */
  requestId?: string;
}

/**
 * Per-procedure metadata. `openapi` is trpc-to-openapi's REST contract (method, path, tags);
 * `successStatus` and `errorStatuses` complete it, since trpc-to-openapi knows only 200 and a
 * few error codes.
 */
export type Meta = OpenApiMeta<{
  /** HTTP status of a successful REST call (default 200; 204 sends no body). */
  successStatus?: 200 | 201 | 204;
  /** Error statuses this operation can answer beyond those every operation can (see openapi.ts). */
  errorStatuses?: number[];
}>;

export interface ErrorData {
  /** Field errors as JSON Pointers into the input, for forms. */
  errors: FieldError[];
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

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      return {
        ...shape,
        message: publicMessage(error, shape.message),
        data: { ...shape.data, stack: undefined, errors: fieldErrorsOf(error) } satisfies ErrorData &
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

/**
 * Two requests racing (a delete against a new dependency, two creates of one slug) can pass the
 * services' checks and then meet a database constraint: that is a conflict (409), not a 500.
 */
const mapConstraintViolations = t.middleware(async function mapConstraintViolations({ next }) {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && constraintViolation(result.error.cause)) {
    throw conflict('The request conflicts with a concurrent change; reload and retry.');
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapConstraintViolations);
