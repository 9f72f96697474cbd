import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginThrottleOptions {
  /** Failed attempts allowed per account and IP within the window (default 5). */
  attempts?: number;
  /** The window, in seconds (default 15 min). */
  windowSeconds?: number;
}

/**
 * Failed-login throttle keyed by account name and IP. Keyed by the name typed, not by whether the
 * account exists, so unknown accounts are throttled exactly like known ones. Memory store: one
 * instance's view; a multi-instance deployment should swap in rate-limiter-flexible's Postgres or
 * Redis store behind the same three calls.
 */
export class LoginThrottle {
  private readonly limiter: RateLimiterMemory;
  private readonly attempts: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.attempts = options.attempts ?? 5;
    this.limiter = new RateLimiterMemory({ points: this.attempts, duration: options.windowSeconds ?? 15 * 60 });
  }

  static key(account: string, ip: string | undefined): string {
    return `${account.trim().toLowerCase()}|${ip ?? '-'}`;
  }

  /** Seconds to wait when the key is locked out, else null. */
  async retryAfter(key: string): Promise<number | null> {
    const state = await this.limiter.get(key);
    if (!state || state.consumedPoints < this.attempts) return null;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }

  async recordFailure(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      // Over the limit already: rate-limiter-flexible rejects with the state, which is what we want.
      if (!(error instanceof RateLimiterRes)) throw error;
    }
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
