import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenApiDocument } from '@bastion/api/openapi';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** Where the types of the REST face, as an outside consumer would generate them, are committed. */
export const GENERATED_TYPES_PATH = resolve(import.meta.dirname, 'generated/bastion-openapi.d.ts');

const HEADER = `${COMMENT_HEADER.trimEnd()}\n// Regenerate with \`pnpm --filter @bastion/server generate:openapi-types\`; external-consumer.test.ts fails while it is stale.\n\n`;

/**
 * The TypeScript types openapi-typescript makes from our OpenAPI document: what a client in
 * another codebase would build against. Deterministic, so the committed copy can be compared.
 */
export async function generateOpenApiTypes(): Promise<string> {
  const ast = await openapiTS(JSON.stringify(createOpenApiDocument()), { silent: true });
  return HEADER + astToString(ast);
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  await writeFile(GENERATED_TYPES_PATH, await generateOpenApiTypes());
  console.log(`wrote ${GENERATED_TYPES_PATH}`);
}
