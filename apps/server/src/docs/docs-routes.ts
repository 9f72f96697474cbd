import fastifyStatic from '@fastify/static';
import { createOpenApiDocument, PROBLEM_TYPES, type ProblemType } from '@bastion/api/openapi';
import type { FastifyInstance } from 'fastify';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { sendProblem } from '../problem.js';

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Bastion API — docs</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/bastion-init.js"></script>
</body>
</html>
`;

// A file of our own rather than inline script, so a strict Content-Security-Policy can forbid inline code.
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/**
 * `/openapi.json` (built once at start-up), Swagger UI at `/docs` from the swagger-ui-dist
 * package (no CDN), and a short description of each problem type at `/problems/{type}`.
 */
export async function registerDocsRoutes(app: FastifyInstance) {
  const document = JSON.stringify(createOpenApiDocument());
  app.get('/openapi.json', { config: { procedurePath: 'openapi' } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(document),
  );
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_HTML));
  app.get('/docs/bastion-init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT_JS));
  // swagger-ui-dist ships its own index.html pointing at the petstore: never serve it.
  await app.register(fastifyStatic, {
    root: getAbsoluteFSPath(),
    prefix: '/docs/',
    index: false,
    allowedPath: (path) => !path.endsWith('index.html') && !path.endsWith('swagger-initializer.js'),
    decorateReply: false,
    maxAge: '1h',
  });
  app.get('/problems/:type', async (request, reply) => {
    const { type } = request.params as { type: string };
    const known = PROBLEM_TYPES[type as ProblemType] as (typeof PROBLEM_TYPES)[ProblemType] | undefined;
    if (!known) return sendProblem(request, reply, { type: 'not-found', detail: `No problem type "${type}".` });
    return reply.send({ type: `/problems/${type}`, ...known });
  });
}

