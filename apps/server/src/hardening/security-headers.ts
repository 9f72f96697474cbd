import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet sets for `options`, worked out once at start-up. They are the same for every
 * answer (no CSP nonces here), and @fastify/helmet rebuilt helmet's middleware — parsing the CSP
 * directives again — on every request: 7 % of a request's CPU in the benchmark.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  // A response that is never sent: helmet sets its headers on it, and they are read back.
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  const outcomes: unknown[] = [];
  helmet(options)(request, response, (error?: unknown) => {
    outcomes.push(error);
  });
  // Helmet's middleware is synchronous; if a future version is not, fail at start-up, not later.
  if (outcomes.length === 0) throw new Error('helmet did not finish synchronously; security headers cannot be worked out once');
  if (outcomes[0] !== undefined) throw new Error('helmet refused its options', { cause: outcomes[0] });
  const headers = Object.entries(response.getHeaders()).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]);
  return Object.freeze(Object.fromEntries(headers) as Record<string, string>);
}
