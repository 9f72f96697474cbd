import { z } from 'zod';

type Coerce = (value: string) => unknown;
type QueryValue = string | string[] | undefined;

interface JsonSchemaLike {
  type?: string | string[];
  items?: JsonSchemaLike;
  anyOf?: JsonSchemaLike[];
  properties?: Record<string, JsonSchemaLike>;
}

const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

const toNumber: Coerce = (v) => (NUMERIC.test(v.trim()) ? Number(v) : v);
const toBoolean: Coerce = (v) => (v === 'true' ? true : v === 'false' ? false : v);
const asIs: Coerce = (v) => v;

function scalarCoercion(schema: JsonSchemaLike | undefined): Coerce {
  const types = [schema?.type ?? [], ...(schema?.anyOf ?? []).map((s) => s.type ?? [])].flat();
  if (types.includes('string')) return asIs;
  if (types.includes('integer') || types.includes('number')) return toNumber;
  if (types.includes('boolean')) return toBoolean;
  return asIs;
}

/**
 * Compiles, once per operation, a function that turns query-string values into the types its
 * input schema expects ("5" → 5 for a number, "true" → true, a single value → [value] for an
 * array). Values that do not look like the type are left as strings so validation names them;
 * the shared zod schemas themselves are never switched to coercion.
 */
export function compileQueryCoercion(inputSchema: z.ZodType | undefined): (query: Record<string, QueryValue>) => Record<string, unknown> {
  const json = inputSchema
    ? (z.toJSONSchema(inputSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaLike)
    : {};
  const fields = new Map<string, { array: boolean; coerce: Coerce }>();
  for (const [key, property] of Object.entries(json.properties ?? {})) {
    const isArray = property.type === 'array';
    fields.set(key, { array: isArray, coerce: scalarCoercion(isArray ? property.items : property) });
  }
  return function coerceQuery(query) {
    const input: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(query)) {
      if (raw === undefined) continue;
      const field = fields.get(key);
      if (!field) {
        input[key] = raw;
      } else if (field.array) {
        input[key] = (Array.isArray(raw) ? raw : [raw]).map(field.coerce);
      } else {
        input[key] = Array.isArray(raw) ? raw.map(field.coerce) : field.coerce(raw);
      }
    }
    return input;
  };
}
