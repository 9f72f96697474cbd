import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    deadline: NodeJS.Timeout | undefined;
  }
}

/** What the error handler turns into a 503 problem (with Retry-After). */
export class RequestTimeoutError extends Error {
  readonly statusCode = 503;
  readonly code = 'BASTION_REQUEST_TIMEOUT';
  constructor(readonly afterMs: number) {
    super(`The request took longer than ${String(afterMs)} ms and was abandoned; retry shortly.`);
  }
}

/**
 * A request still unanswered after `ms` gets a 503 instead of hanging. Fastify's `handlerTimeout`
 * does the same but gives every request an AbortController and aborts it when the request ends,
 * answered or not — a DOMException with its stack trace each time, 6 % of a request's CPU in the
 * benchmark, for a signal nothing here reads. A timer cleared when the answer is sent suffices.
 */
export function registerRequestDeadline(app: FastifyInstance, ms: number): void {
  if (ms <= 0) return;
  app.decorateRequest('deadline', undefined);
  app.addHook('onRequest', function startDeadline(request, reply, done) {
    request.deadline = setTimeout(() => {
      if (reply.sent) return;
      // Part of an answer is out: a 503 cannot follow it, so end the exchange.
      if (reply.raw.headersSent) reply.raw.destroy(new RequestTimeoutError(ms));
      else reply.send(new RequestTimeoutError(ms));
    }, ms);
    done();
  });
  const clearDeadline = (request: { deadline: NodeJS.Timeout | undefined }) => {
    clearTimeout(request.deadline);
  };
  app.addHook('onResponse', function stopDeadline(request, _reply, done) {
    clearDeadline(request);
    done();
  });
  app.addHook('onRequestAbort', function stopDeadlineOfAbandoned(request, done) {
    clearDeadline(request);
    done();
  });
}
