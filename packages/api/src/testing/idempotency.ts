/** For server tests that need an `Idempotency-Key` "still in use" without a slow procedure. */
export { holdIdempotencyKey } from '../idempotency/idempotent-call.js';
export { idempotencyScope } from '../idempotency/idempotency-key.js';
