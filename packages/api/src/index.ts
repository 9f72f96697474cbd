export { appRouter, type AppRouter } from './root.js';
export { createCallerFactory, type AuditNote, type Context, type CredentialError, type ErrorData, type IdempotencyKeyHeader, type Meta, type SessionCookies } from './trpc.js';
export { compileProcedure, type ProcedureCall } from './invoke-procedure.js';
export { DomainProblem, fieldErrorsOf, isInputValidationError, type FieldError } from './common/errors.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency/idempotency-key.js';
export { deleteExpiredIdempotencyKeys } from './idempotency/idempotent-call.js';
