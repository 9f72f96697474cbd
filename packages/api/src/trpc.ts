import { initTRPC } from '@trpc/server';
import type { Database } from '@bastion/db';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { fieldErrorsOf, isInputValidationError, type FieldError } from './common/errors.js';

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

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      return {
        ...shape,
        message: isInputValidationError(error) ? 'Input validation failed' : shape.message,
        data: { ...shape.data, stack: undefined, errors: fieldErrorsOf(error) } satisfies ErrorData &
          typeof shape.data,
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
