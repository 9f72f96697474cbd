/**
 * The reference for the differential test: the same router served by trpc-to-openapi's own HTTP
 * handler, on its own test database, in its own process (spawned by differential.test.ts).
 *
 * It must never share a process with our server: trpc-to-openapi's handler switches zod coercion
 * on inside the shared input schemas at run time, which would make the tRPC face accept "5" for 5.
 *
 * The clock is pinned per request by the `x-test-now` header (ISO 8601), so both sides see the
 * same `ctx.now`. Prints `{"port":N}` on stdout once listening; closes cleanly on SIGTERM.
 */
import { createServer } from 'node:http';
import { appRouter, type Context } from '@bastion/api';
import { listRestOperations, REST_BASE_PATH } from '@bastion/api/openapi';
import { adminPrincipal } from '@bastion/api/testing/principals';
import { openTestDatabase } from '@bastion/db/testing';
import { createOpenApiHttpHandler } from 'trpc-to-openapi';

const database = await openTestDatabase();
const successStatus = new Map(listRestOperations().map((op) => [op.procedurePath, op.successStatus]));

const handler = createOpenApiHttpHandler({
  router: appRouter,
  createContext: ({ req }): Context => {
    // Typed as an IncomingMessage, but the standalone adapter hands over a Fetch Request.
    const headers: unknown = req.headers;
    const pinned = headers instanceof Headers ? headers.get('x-test-now') : req.headers['x-test-now'];
    const at = typeof pinned === 'string' ? new Date(pinned) : new Date();
    // Access control is compared elsewhere; here both sides act as an admin.
    return { db: database.db, now: () => at, principal: adminPrincipal };
  },
  // trpc-to-openapi answers 200 for every success; our meta says 201 or 204 where it should.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- trpc-to-openapi fills only `paths` (its `info.calls` is empty).
  responseMeta: ({ paths, errors }) => {
    const path = paths?.[0];
    return errors.length === 0 && path !== undefined ? { status: successStatus.get(path) ?? 200 } : {};
  },
});

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (!url.startsWith(`${REST_BASE_PATH}/`)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  req.url = url.slice(REST_BASE_PATH.length);
  void handler(req, res);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.once('SIGTERM', () => {
  server.close();
  void database.close().finally(() => process.exit(0));
});
