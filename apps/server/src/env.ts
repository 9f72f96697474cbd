import { resolve } from 'node:path';
import { z } from 'zod';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** PostgreSQL URL; when unset the embedded PGlite database is used. */
  DATABASE_URL: z.url().optional(),
  /** Where PGlite keeps its files (ignored with DATABASE_URL). */
  BASTION_DATA_DIR: z.string().min(1).default(resolve(REPO_ROOT, '.data')),
  /** Seed a demo fleet when the database has no services yet. */
  BASTION_SEED_DEMO: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Public URL of the dashboard, printed at start-up. */
  BASTION_DASHBOARD_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

/** The server's configuration, read once from `process.env`; exits with a clear message when invalid. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
