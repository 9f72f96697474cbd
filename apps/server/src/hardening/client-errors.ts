import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_TYPES, type Problem, type ProblemType } from '@bastion/api/openapi';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../problem.js';

/** Node's parser errors, by the problem each is answered with. */
const PROBLEM_OF_CODE: Record<string, { type: ProblemType; status?: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { type: 'request-header-fields-too-large', detail: 'The request headers exceed the size limit (BASTION_MAX_HEADER_BYTES).' },
  ERR_HTTP_REQUEST_TIMEOUT: { type: 'bad-request', status: 408, detail: 'The request was not received in time.' },
};

/**
 * Answers a request Node could not even parse (headers too large, malformed, too slow) with the
 * same problem+json as everything else, then closes the socket. Fastify's default writes its own
 * JSON shape; no route, request id or hook exists at this point, so the log line is written here.
 * Fastify calls it with `this` bound to the app.
 */
export function problemClientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? PROBLEM_OF_CODE[error.code] : undefined;
  const init = known ?? { type: 'bad-request' as const, detail: 'The request could not be parsed as HTTP.' };
  const status = init.status ?? PROBLEM_TYPES[init.type].status;
  const problem: Problem = { type: `/problems/${init.type}`, title: PROBLEM_TYPES[init.type].title, status, detail: init.detail, instance: '/' };
  this.log.info({ code: error.code, status, remoteAddress: socket.remoteAddress }, 'request refused before parsing');
  if (socket.writable) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
