import { z } from 'zod';

const envSchema = z.object({
  /** Where apps/server listens; `/trpc`, `/api`, `/docs` and `/openapi.json` are proxied there. */
  BASTION_API_URL: z.url().default('http://127.0.0.1:4000'),
});

export type DashboardEnv = z.infer<typeof envSchema>;

let cached: DashboardEnv | undefined;

/**
 * The dashboard's server-side configuration, read from `process.env` at request time (not at
 * build time), so one build serves any API address. Throws with every invalid variable named.
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env): DashboardEnv {
  if (source === process.env && cached) return cached;
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  if (source === process.env) cached = parsed.data;
  return parsed.data;
}
