export { appRouter, type AppRouter } from './root.js';
export { createCallerFactory, type Context, type ErrorData, type Meta } from './trpc.js';
export { DomainProblem, fieldErrorsOf, isInputValidationError, type FieldError } from './common/errors.js';
