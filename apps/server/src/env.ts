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
  /** With DATABASE_URL: named prepared statements; `false` behind PgBouncer in transaction mode. */
  BASTION_PG_PREPARED_STATEMENTS: booleanFlag.default(true),
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
  /** Largest request head (request line + headers, cookies included), in bytes; 431 beyond. */
  BASTION_MAX_HEADER_BYTES: z.coerce.number().int().min(4096).max(1024 * 1024).default(16 * 1024),
  /** Heap use (bytes) past which requests are shed with 503; 0 disables this check. */
  BASTION_MAX_HEAP_USED_BYTES: z.coerce.number().int().min(0).default(0),
  /** A request unanswered after this many ms gets a 503. */
  BASTION_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * On SIGTERM, how long to keep serving (with `/readyz` at 503 and `Connection: close` on every answer)
   * before closing the listener, so a load balancer notices and stops sending (ms; 0 = close at once).
   * The drain ends early once no client connection has been open for a second.
   */
  BASTION_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /** Port of the Prometheus `/metrics` endpoint; 0 turns it off. */
  BASTION_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  BASTION_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Event-loop delay (ms) past which requests are shed with 503; 0 disables shedding. */
  BASTION_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(3_000),
  /** The first admin, created on a database without users (a password is generated and printed when unset). */
  BASTION_ADMIN_EMAIL: z.email().default('admin@bastion.local'),
  BASTION_ADMIN_PASSWORD: z.string().min(12, 'Use at least 12 characters.').optional(),
  /** Seals the JWT signing key stored in the database (≥ 32 characters); strongly advised in production. */
  BASTION_KEY_ENCRYPTION_SECRET: z.string().min(32, 'Use at least 32 characters.').optional(),
  /** Most calls in one tRPC batch; a bigger batch is answered 400 (the dashboard batches at most 10). */
  BASTION_TRPC_MAX_BATCH: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Redis: runtime-control changes reach every instance by pub/sub, rate-limit counts are shared. */
  REDIS_URL: z.url().optional(),
  /** Start-up rate limits (requests a minute): anonymous callers per address, signed-in callers per user or key. 0 = unlimited. */
  BASTION_RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  BASTION_RATE_LIMIT_PRINCIPAL_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  /**
   * Comma-separated proxies (addresses, CIDRs, or `loopback`) whose X-Forwarded-For is believed.
   * Default none: the client address is the socket's. Trusting everyone would let any client pick
   * the address it is rate-limited and blocked by, so `*` and `true` are refused.
   */
  BASTION_TRUST_PROXY: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
    .refine((proxies) => !proxies.some((p) => p === '*' || p === 'true'), 'List the proxies; trusting every address is not allowed.'),
  /** `Secure` on the session cookie: `auto` (default) = everywhere except localhost. */
  BASTION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
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
