import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface SharedLimiterOptions {
  /** Budget per key and window. */
  points: number;
  /** The window, in seconds. */
  duration: number;
  keyPrefix: string;
  /** Counts are shared through Redis when given, with an in-memory insurance store if it drops. */
  redis?: Redis | undefined;
}

/**
 * A rate-limiter-flexible limiter whose counts every instance shares through Redis when there is
 * one, and this process alone counts otherwise. While Redis is away, an in-memory insurance limiter
 * counts instead of failing every call (and instead of letting every call through).
 */
export function createSharedLimiter(options: SharedLimiterOptions): RateLimiterAbstract {
  const { points, duration, keyPrefix, redis } = options;
  const memory = new RateLimiterMemory({ points, duration, keyPrefix });
  if (!redis) return memory;
  return new RateLimiterRedis({
    storeClient: redis,
    points,
    duration,
    keyPrefix,
    // Not waiting for a reconnect: count in memory at once while Redis is away.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}
