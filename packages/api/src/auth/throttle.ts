import type { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createSharedLimiter } from '../common/shared-limiter.js';

export interface LoginThrottleOptions {
  /** Password checks allowed per account and IP within the window (default 5). */
  attempts?: number;
  /** The window, in seconds (default 15 min). */
  windowSeconds?: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Sign-in throttle keyed by account name and IP. Keyed by the name typed, not by whether the
 * account exists, so unknown accounts are throttled exactly like known ones. An attempt is taken
 * from the budget *before* the password is checked (one atomic consume), so a parallel burst gets
 * no more checks than a patient attacker; a successful sign-in gives the budget back. In memory
 * until `shareThrough` hands it the server's Redis, then every instance counts together.
 */
export class LoginThrottle {
  private limiter: RateLimiterAbstract;
  private readonly attempts: number;
  private readonly windowSeconds: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.attempts = options.attempts ?? 5;
    this.windowSeconds = options.windowSeconds ?? 15 * 60;
    this.limiter = this.build('bastion:', undefined);
  }

  static key(account: string, ip: string | undefined): string {
    return `${account.trim().toLowerCase()}|${ip ?? '-'}`;
  }

  /**
   * Counts from now on in Redis (keys `<keyPrefix>login:…`), with memory as insurance while Redis
   * is away. The server calls it at start-up with the runtime controls' connection.
   */
  shareThrough(redis: Redis, keyPrefix: string): void {
    this.limiter = this.build(keyPrefix, redis);
  }

  private build(keyPrefix: string, redis: Redis | undefined): RateLimiterAbstract {
    return createSharedLimiter({ points: this.attempts, duration: this.windowSeconds, keyPrefix: `${keyPrefix}login`, redis });
  }

  /** Takes one password check from the key's budget; refused (with the wait) once it is spent. */
  async attempt(key: string): Promise<ThrottleDecision> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (error) {
      // rate-limiter-flexible rejects with the state when the budget is spent; anything else is a fault.
      if (!(error instanceof RateLimiterRes)) throw error;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
    }
  }

  /** After a successful sign-in: the failures before it no longer count. */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
