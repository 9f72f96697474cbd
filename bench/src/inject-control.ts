import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { injectLoad, type InjectFigures, type InjectLoad } from './inject-load.js';

const injectLoadSchema = z.strictObject({
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).optional(),
  concurrency: z.int().min(1).max(1024),
  durationSec: z.number().positive().max(600),
});

/**
 * A second listener on 127.0.0.1 through which the harness has a bench server load itself
 * in-process (`POST /inject`, an `InjectLoad` as JSON, answered with its `InjectFigures`). One
 * load at a time: two at once would share the process and each count the other's CPU.
 */
export async function listenForInjectLoads(app: FastifyInstance, port: number): Promise<Server> {
  let busy = false;
  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/inject') {
      answer(404, { error: 'POST /inject only' });
      return;
    }
    if (busy) {
      answer(409, { error: 'a load is already running' });
      return;
    }
    busy = true;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const load = parsedLoad(Buffer.concat(chunks).toString());
      if (!load.success) {
        busy = false;
        answer(400, { error: load.error });
        return;
      }
      void injectLoad(app, load.data)
        .then((figures) => { answer(200, figures); }, (error: unknown) => { answer(500, { error: messageOf(error) }); })
        .finally(() => { busy = false; });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function parsedLoad(text: string): { success: true; data: InjectLoad } | { success: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { success: false, error: `body is not JSON: ${messageOf(error)}` };
  }
  const parsed = injectLoadSchema.safeParse(json);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: z.prettifyError(parsed.error) };
}

/** Has the bench server behind `port` run `load` in-process; throws on a refused load. */
export async function requestInjectLoad(port: number, load: InjectLoad): Promise<InjectFigures> {
  const response = await fetch(`http://127.0.0.1:${port}/inject`, { method: 'POST', body: JSON.stringify(load), signal: AbortSignal.timeout((load.durationSec + 60) * 1000) });
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`inject load on port ${port} refused (${response.status}): ${JSON.stringify(body)}`);
  return body as InjectFigures;
}
