import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createSharedLimiter } from '../../common/shared-limiter.js';
import { RATE_LIMIT_WINDOW_SECONDS } from './controls.rules.js';

export interface RateLimitOutcome {
  allowed: boolean;
  /** `RateLimit-Policy` and `RateLimit` (and `Retry-After` when refused), lower-case names. */
  headers: Record<string, string>;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * The store never refuses by itself: it only counts, with a budget far above any real limit. The
 * limit is compared here, per call, so a live change applies to the running window instead of
 * starting a new, empty one.
 */
const COUNT_ONLY = 1_000_000_000;

export interface RequestRateLimiterOptions {
  /** Counts are shared through Redis when given, with an in-memory insurance store if it drops. */
  redis?: Redis | undefined;
  /** Prefix of the Redis keys (tests use a unique one per run). */
  keyPrefix?: string;
}

/**
 * Fixed one-minute windows per bucket, on rate-limiter-flexible. Headers follow the IETF draft
 * (httpapi-ratelimit-headers, structured fields): `RateLimit-Policy: "principal-read";q=1200;w=60`
 * and `RateLimit: "principal-read";r=1187;t=42`.
 */
export class RequestRateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(options: RequestRateLimiterOptions = {}) {
    this.limiter = createSharedLimiter({
      points: COUNT_ONLY,
      duration: RATE_LIMIT_WINDOW_SECONDS,
      keyPrefix: `${options.keyPrefix ?? 'bastion:'}rl`,
      redis: options.redis,
    });
  }

  /** Counts one call against `bucket` and says whether it stays within `limit` per window. */
  async hit(policy: string, bucket: string, limit: number): Promise<RateLimitOutcome> {
    const state = await this.limiter.consume(bucket, 1);
    const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    const remaining = Math.max(0, limit - state.consumedPoints);
    const allowed = state.consumedPoints <= limit;
    const headers: Record<string, string> = {
      'ratelimit-policy': `"${policy}";q=${limit};w=${RATE_LIMIT_WINDOW_SECONDS}`,
      ratelimit: `"${policy}";r=${remaining};t=${resetSeconds}`,
    };
    if (!allowed) headers['retry-after'] = String(resetSeconds);
    return { allowed, headers, resetSeconds };
  }
}

/**
 * One answer's headers when a call counted against several policies (its class and the targets it
 * hits): the draft's fields are lists, so each policy is one member; `Retry-After` is the longest
 * wait among the refusals, since every one must have passed.
 */
export function combineOutcomes(outcomes: readonly RateLimitOutcome[]): RateLimitOutcome {
  const headers: Record<string, string> = {
    'ratelimit-policy': outcomes.map((o) => o.headers['ratelimit-policy']).join(', '),
    ratelimit: outcomes.map((o) => o.headers.ratelimit).join(', '),
  };
  const refused = outcomes.filter((o) => !o.allowed);
  const resetSeconds = Math.max(0, ...refused.map((o) => o.resetSeconds));
  if (refused.length > 0) headers['retry-after'] = String(resetSeconds);
  return { allowed: refused.length === 0, headers, resetSeconds };
}
