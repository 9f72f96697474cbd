import type { Database } from '@bastion/db';
import { Redis } from 'ioredis';
import type { Principal } from '../../auth/principal.js';
import { rateLimited } from '../../common/errors.js';
import { loadControls, readControlsVersion } from './controls.service.js';
import {
  blockRefusal,
  buildSnapshot,
  callClassOf,
  switchRefusal,
  targetLimitsOf,
  type ControlsSnapshot,
  type ProcedureCatalogue,
  type ProcedureType,
  type RateLimitTable,
} from './controls.rules.js';
import { combineOutcomes, RequestRateLimiter, type RateLimitOutcome } from './rate-limiter.js';

/** One budget a call counts against: its class, or a target it reaches. */
interface LimitCheck {
  /** Named in the RateLimit headers. */
  policy: string;
  bucket: string;
  limit: number;
  /** What the refusal's detail says about this budget. */
  refusal: string;
}

/** The slice of a pino logger the runtime writes to. */
export interface ControlsLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Where the controls put response headers (RateLimit); the server writes them to the HTTP reply. */
export interface ResponseHeaders {
  set(name: string, value: string): void;
}

/** One call as the controls judge it. */
export interface ControlledCall {
  /** Procedure path (`incidents.create`) or named endpoint (`auth.token`). */
  path: string;
  type: ProcedureType;
  principal: Principal;
  ip: string | undefined;
  /** The request's clock, for block-list entries that expire. */
  at: Date;
}

export interface ControlsRuntimeOptions {
  db: Database;
  /** The router's procedures: switch targets are checked against them. */
  catalogue: ProcedureCatalogue;
  /** Rate limits in force until an operator sets others (from the environment at start). */
  defaults: RateLimitTable;
  /** With Redis: changes reach the other instances by pub/sub and rate-limit counts are shared. */
  redisUrl?: string | undefined;
  /** Prefix of Redis keys and the channel (default `bastion:`); tests use a unique one. */
  redisPrefix?: string | undefined;
  /** How often the stored version is checked, as a safety net for lost notifications (ms, default 1000). */
  pollIntervalMs?: number | undefined;
  log?: ControlsLog | undefined;
}

const SILENT: ControlsLog = { info: () => undefined, warn: () => undefined };

/**
 * The runtime controls of one server instance: an in-memory snapshot of the stored controls that
 * every call is checked against (no database query per request), kept fresh three ways — the
 * instance that makes a change reloads at once, Redis pub/sub tells the others, and a one-second
 * poll of the stored version catches whatever a lost message missed.
 */
export class ControlsRuntime {
  readonly catalogue: ProcedureCatalogue;
  readonly defaults: RateLimitTable;
  private current: ControlsSnapshot;
  private readonly db: Database;
  private readonly log: ControlsLog;
  private readonly limiter: RequestRateLimiter;
  private readonly redis: Redis | undefined;
  private readonly subscriber: Redis | undefined;
  private readonly channel: string;
  /** Prefix of this runtime's Redis keys and channel. */
  readonly redisPrefix: string;
  private pollTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  /** Goes up with every reload asked for; one asked while another runs makes it read again. */
  private reloadRequests = 0;
  private closed = false;
  private pollFailing = false;

  private constructor(options: ControlsRuntimeOptions) {
    this.db = options.db;
    this.catalogue = options.catalogue;
    this.defaults = options.defaults;
    this.log = options.log ?? SILENT;
    const prefix = options.redisPrefix ?? 'bastion:';
    this.redisPrefix = prefix;
    this.channel = `${prefix}controls`;
    this.current = buildSnapshot({ version: -1, switches: [], blocks: [], rateLimits: options.defaults, targetLimits: [] });
    if (options.redisUrl) {
      // Commands fail at once while Redis is away (no offline queue): the limiter falls back to
      // its memory insurance and a publish is simply lost, for the poll to make up.
      this.redis = this.connect(options.redisUrl, 'commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.subscriber = this.connect(options.redisUrl, 'subscriber', {});
      this.subscriber.on('message', (channel: string) => {
        if (channel === this.channel) this.reloadQuietly();
      });
    }
    this.limiter = new RequestRateLimiter({ redis: this.redis, keyPrefix: prefix });
  }

  /**
   * Loads the stored controls, then keeps them fresh until `close()`. A database that does not
   * answer yet does not stop the start: the defaults apply until the poll reads the stored
   * controls (and meanwhile every request fails on the database anyway, with a 503).
   */
  static async start(options: ControlsRuntimeOptions): Promise<ControlsRuntime> {
    const runtime = new ControlsRuntime(options);
    // Listening before the first load: a change made in between is then never missed.
    await runtime.subscribe();
    try {
      await runtime.reload();
    } catch (error) {
      runtime.log.warn({ err: error }, 'controls: could not load the stored controls; the defaults apply until the database answers');
    }
    runtime.schedulePoll(options.pollIntervalMs ?? 1_000);
    return runtime;
  }

  /** What this instance enforces right now. */
  get snapshot(): ControlsSnapshot {
    return this.current;
  }

  /**
   * The Redis connection for commands, for other counters to share (the login throttle); undefined
   * without Redis. It fails fast while Redis is away and is closed with this runtime.
   */
  get redisClient(): Redis | undefined {
    return this.redis;
  }

  /** True when this instance shares state through Redis. */
  get distributed(): boolean {
    return this.redis !== undefined;
  }

  /** Subscribes to the change channel, waiting at most 2 s: without Redis the poll still delivers. */
  private async subscribe(): Promise<void> {
    const { subscriber } = this;
    if (!subscriber) return;
    const subscribed = subscriber.subscribe(this.channel).then(
      () => true,
      (error: unknown) => {
        this.log.warn({ err: error }, 'controls: could not subscribe to Redis; changes arrive by the poll');
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => {
      timer = setTimeout(() => { resolve(false); }, 2_000).unref();
    });
    // ioredis keeps trying, and resubscribes on every reconnect.
    await Promise.race([subscribed, gaveUp]);
    clearTimeout(timer);
  }

  private connect(url: string, role: string, options: { enableOfflineQueue?: boolean; maxRetriesPerRequest?: number }): Redis {
    const client = new Redis(url, { ...options, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000) });
    let down = false;
    client.on('error', (error: unknown) => {
      // ioredis reports every failed reconnect; one line per outage is enough.
      if (down) return;
      down = true;
      this.log.warn({ err: error, role }, 'controls: Redis unavailable; rate limits count in memory and changes arrive by the poll');
    });
    client.on('ready', () => {
      if (down) this.log.info({ role }, 'controls: Redis is back');
      down = false;
    });
    return client;
  }

  /** Reads the stored controls into a new snapshot. Calls while one runs coalesce into one more. */
  async reload(): Promise<void> {
    this.reloadRequests++;
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      try {
        let served: number;
        do {
          served = this.reloadRequests;
          const stored = await loadControls(this.db, this.defaults);
          this.current = buildSnapshot(stored);
        } while (served !== this.reloadRequests && !this.closed);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private reloadQuietly() {
    this.reload().catch((error: unknown) => {
      this.log.warn({ err: error }, 'controls: could not reload; the poll will retry');
    });
  }

  /**
   * After a change committed here: apply it now, and tell the other instances. Never throws: the
   * change is stored, and the poll applies it should this reload fail.
   */
  async changed(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      this.log.warn({ err: error }, 'controls: could not reload after a change; the poll will retry');
    }
    if (this.redis) {
      await this.redis.publish(this.channel, String(this.current.version)).catch((error: unknown) => {
        this.log.warn({ err: error }, 'controls: could not publish a change; other instances see it on their next poll');
      });
    }
  }

  private schedulePoll(intervalMs: number) {
    const poll = async () => {
      try {
        if ((await readControlsVersion(this.db)) !== this.current.version) await this.reload();
        if (this.pollFailing) this.log.info({}, 'controls: the database answers again');
        this.pollFailing = false;
      } catch (error) {
        // The last snapshot stays in force while the database is away.
        if (!this.pollFailing) this.log.warn({ err: error }, 'controls: could not check for changes; keeping the controls in force');
        this.pollFailing = true;
      }
      if (!this.closed) this.pollTimer = setTimeout(() => void poll(), intervalMs).unref();
    };
    this.pollTimer = setTimeout(() => void poll(), intervalMs).unref();
  }

  /**
   * Refuses a call the controls forbid: 403 `blocked`, 503 `module-disabled` / `read-only`, or
   * 429 `rate-limited`. Counts the call against its class limit and any per-target limits (all
   * must pass) and puts the RateLimit headers in `headers`. Throws the TRPCError; resolves when
   * the call may go ahead.
   */
  async enforce(call: ControlledCall, headers?: ResponseHeaders): Promise<void> {
    const snapshot = this.current;
    const refusal = blockRefusal(snapshot, call.principal, call.ip, call.at) ?? switchRefusal(snapshot, call.path, call.type);
    if (refusal) throw refusal;
    await this.limit(snapshot, call, headers);
  }

  private async limit(snapshot: ControlsSnapshot, call: ControlledCall, headers: ResponseHeaders | undefined) {
    const { principal } = call;
    // An operator can always reach the controls, to undo a limit set too tight.
    if (call.path.startsWith('controls.') && principal.scopes.some((s) => s === 'controls:read' || s === 'controls:write')) return;
    const callClass = callClassOf(call.path, call.type);
    const audience = principal.kind === 'anonymous' ? 'anonymous' : 'principal';
    const who = principal.kind === 'user' ? `user:${principal.id}` : principal.kind === 'apiKey' ? `key:${principal.id}` : `ip:${call.ip ?? 'unknown'}`;
    const checks: LimitCheck[] = [];
    const classLimit = snapshot.rateLimits[audience][callClass];
    if (classLimit > 0) {
      checks.push({ policy: `${audience}-${callClass}`, bucket: `${callClass}:${who}`, limit: classLimit, refusal: `${classLimit} ${callClass} requests a minute` });
    }
    for (const rule of targetLimitsOf(snapshot, call.path)) {
      checks.push({
        policy: `target-${rule.target}`,
        bucket: `target:${rule.target}:${who}`,
        limit: rule.perMinute,
        refusal: `${rule.perMinute} requests a minute to \`${rule.target}\`${rule.reason ? ` (${rule.reason})` : ''}`,
      });
    }
    if (checks.length === 0) return;
    let outcomes: RateLimitOutcome[];
    try {
      outcomes = await Promise.all(checks.map((check) => this.limiter.hit(check.policy, check.bucket, check.limit)));
    } catch (error) {
      // A limiter that cannot count must not take the API down with it.
      this.log.warn({ err: error }, 'controls: rate limiter failed; letting the call through');
      return;
    }
    const outcome = combineOutcomes(outcomes);
    for (const [name, value] of Object.entries(outcome.headers)) headers?.set(name, value);
    if (!outcome.allowed) {
      const reached = checks.filter((_, index) => outcomes[index]?.allowed === false).map((check) => check.refusal);
      throw rateLimited(`Rate limit reached: ${reached.join('; ')}; retry in ${outcome.resetSeconds} s.`, outcome.headers);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    await this.reloading?.catch(() => undefined);
    this.subscriber?.disconnect();
    this.redis?.disconnect();
  }
}
