import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** The monorepo root, found from here whether running from src/ or the bundled dist/. */
function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
  }
  return process.cwd();
}

const REPO_ROOT = findRepoRoot(import.meta.dirname);

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
  /** With the demo seed: play the demo fleet's monitors, so it does not fall silent (`unknown`). */
  BASTION_DEMO_MONITOR: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated origins allowed to call the API from a browser (CORS); never `*`. */
  BASTION_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((origins) => !origins.includes('*'), 'A wildcard origin is not allowed; list the origins.'),
  /** Largest request body, in bytes. */
  BASTION_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** A request unanswered after this many ms gets a 503. */
  BASTION_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Port of the Prometheus `/metrics` endpoint; 0 turns it off. */
  BASTION_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  BASTION_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Event-loop delay (ms) past which requests are shed with 503; 0 disables shedding. */
  BASTION_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(3_000),
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
