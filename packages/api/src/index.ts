export { appRouter, type AppRouter } from './root.js';
export { createCallerFactory, type AuditNote, type Context, type CredentialError, type ErrorData, type Meta, type SessionCookies } from './trpc.js';
export { DomainProblem, fieldErrorsOf, isInputValidationError, type FieldError } from './common/errors.js';
