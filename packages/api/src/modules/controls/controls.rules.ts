import type { AnyTRPCProcedure, AnyTRPCRouter, TRPCError } from '@trpc/server';
import ipaddr from 'ipaddr.js';
import type { Principal } from '../../auth/principal.js';
import { blocked, moduleDisabled, readOnly } from '../../common/errors.js';

/**
 * The pure half of the runtime controls: what a snapshot of the stored controls says about one
 * call. No I/O here, so the per-request check is a few map look-ups.
 */

/** Modules no switch reaches: signing in, the public status page, and the controls themselves. */
export const ALWAYS_ON_MODULES = ['auth', 'status', 'controls'] as const;
/** The switch target that means the whole API (read-only only: the API cannot be switched off whole). */
export const WHOLE_API = '*';

export type SwitchState = 'off' | 'read-only';
export type ProcedureType = 'query' | 'mutation' | 'subscription';
/** Every procedure path of the router and its type; switch targets are checked against it. */
export type ProcedureCatalogue = ReadonlyMap<string, ProcedureType>;

export interface SwitchRule {
  target: string;
  state: SwitchState;
  reason: string | null;
  retryAfterSeconds: number;
}

export type BlockKind = 'user' | 'apiKey' | 'ip';

export interface BlockRule {
  id: string;
  kind: BlockKind;
  /** A user id, an API key id, or a normalised CIDR (`10.0.0.0/8`). */
  value: string;
  reason: string | null;
  expiresAt: Date | null;
}

/** A per-target limit: requests a minute per caller for one module or procedure. */
export interface TargetLimitRule {
  target: string;
  perMinute: number;
  reason: string | null;
}

export type CallClass = 'read' | 'write' | 'auth';
export type Audience = 'anonymous' | 'principal';
/** Requests per minute for each audience and class of call; 0 = unlimited. */
export type RateLimitTable = Record<Audience, Record<CallClass, number>>;
export const RATE_LIMIT_WINDOW_SECONDS = 60;

/** The controls as one instance enforces them, rebuilt on every change. */
export interface ControlsSnapshot {
  /** `controls_state.version` this snapshot was read at; the poll compares it. */
  version: number;
  switches: ReadonlyMap<string, SwitchRule>;
  blockedUsers: ReadonlyMap<string, BlockRule>;
  blockedKeys: ReadonlyMap<string, BlockRule>;
  blockedRanges: readonly { range: [ipaddr.IPv4 | ipaddr.IPv6, number]; rule: BlockRule }[];
  rateLimits: RateLimitTable;
  targetLimits: ReadonlyMap<string, TargetLimitRule>;
}

/** The procedures of a router by path, with their type. */
export function procedureCatalogue(router: AnyTRPCRouter): ProcedureCatalogue {
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  return new Map(Object.entries(procedures).map(([path, procedure]) => [path, procedure._def.type]));
}

const moduleOf = (path: string) => path.split('.')[0] ?? path;

export function isAlwaysOn(path: string): boolean {
  return (ALWAYS_ON_MODULES as readonly string[]).includes(moduleOf(path));
}

/** The targets a call answers to, most specific first: `incidents.updates.create`, `incidents.updates`, `incidents`. */
function targetsOf(path: string): string[] {
  const segments = path.split('.');
  return segments.map((_, index) => segments.slice(0, segments.length - index).join('.'));
}

/** Modules, nested routers and procedures a switch may name, sorted; always-on modules left out. */
export function switchableTargets(catalogue: ProcedureCatalogue): string[] {
  const targets = new Set<string>();
  for (const path of catalogue.keys()) {
    if (isAlwaysOn(path)) continue;
    for (const target of targetsOf(path)) targets.add(target);
  }
  return [...targets].sort();
}

/**
 * Why a switch on `target` is refused — `unknown` for a target that names nothing, `refused` for
 * one that may not be switched — or null when it may be set.
 */
export function switchTargetProblem(
  catalogue: ProcedureCatalogue,
  target: string,
  state: SwitchState,
): { kind: 'unknown' | 'refused'; message: string } | null {
  if (target === WHOLE_API) {
    return state === 'off' ? { kind: 'refused', message: 'The whole API cannot be switched off; switch off modules, or make the API read-only.' } : null;
  }
  if (isAlwaysOn(target)) {
    return { kind: 'refused', message: `\`${moduleOf(target)}\` is always on (health, status page, sign-in and the controls can never be switched off).` };
  }
  if (!switchableTargets(catalogue).includes(target)) return { kind: 'unknown', message: `No module or procedure \`${target}\`.` };
  return null;
}

/**
 * Why a per-target limit on `target` is refused, like `switchTargetProblem`: the whole API has the
 * class limits instead, and what can never be switched off can never be throttled either.
 */
export function targetLimitProblem(catalogue: ProcedureCatalogue, target: string): { kind: 'unknown' | 'refused'; message: string } | null {
  if (target === WHOLE_API) return { kind: 'refused', message: 'The whole API is limited by the class rate limits (`PUT /controls/rate-limits`); name a module or procedure.' };
  if (isAlwaysOn(target)) {
    return { kind: 'refused', message: `\`${moduleOf(target)}\` cannot be throttled (health, status page, sign-in and the controls always answer).` };
  }
  return switchTargetProblem(catalogue, target, 'off');
}

/** The per-target limits a call counts against, most specific first (a procedure's, then its module's). */
export function targetLimitsOf(snapshot: ControlsSnapshot, path: string): TargetLimitRule[] {
  if (snapshot.targetLimits.size === 0 || isAlwaysOn(path)) return [];
  return targetsOf(path).flatMap((target) => {
    const rule = snapshot.targetLimits.get(target);
    return rule ? [rule] : [];
  });
}

/**
 * A kill switch on the call's procedure or any router above it answers 503 `module-disabled`;
 * else a read-only switch there (or on the whole API) refuses mutations with 503 `read-only`.
 */
export function switchRefusal(snapshot: ControlsSnapshot, path: string, type: ProcedureType): TRPCError | null {
  if (isAlwaysOn(path) || snapshot.switches.size === 0) return null;
  const rules = [...targetsOf(path), WHOLE_API].flatMap((target) => {
    const rule = snapshot.switches.get(target);
    return rule ? [rule] : [];
  });
  const off = rules.find((rule) => rule.state === 'off');
  if (off) {
    const where = off.target === path ? `\`${path}\` is` : `Module \`${off.target}\` is`;
    return moduleDisabled(`${where} switched off for now${off.reason ? `: ${off.reason}` : ''}.`, off.retryAfterSeconds);
  }
  const readOnlyRule = type === 'mutation' ? rules.find((rule) => rule.state === 'read-only') : undefined;
  if (readOnlyRule) {
    const where = readOnlyRule.target === WHOLE_API ? 'The API is' : `\`${readOnlyRule.target}\` is`;
    return readOnly(`${where} read-only for now${readOnlyRule.reason ? `: ${readOnlyRule.reason}` : ''}; reads still work.`, readOnlyRule.retryAfterSeconds);
  }
  return null;
}

const live = (rule: BlockRule | undefined, now: Date) => (rule && (!rule.expiresAt || rule.expiresAt > now) ? rule : undefined);

/** An address as ipaddr.js sees it, IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4; null when unparsable. */
export function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  return ipaddr.isValid(ip) ? ipaddr.process(ip) : null;
}

/**
 * A CIDR range or a single address (as /32 or /128), normalised to its network address:
 * `10.1.2.3/8` → `10.0.0.0/8`. Null when it is neither.
 */
export function normaliseRange(value: string): string | null {
  const text = value.trim();
  try {
    if (text.includes('/')) {
      const [address, prefix] = ipaddr.parseCIDR(text);
      const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
      return `${network.toString()}/${prefix}`;
    }
    const address = parseAddress(text);
    if (!address) return null;
    return `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`;
  } catch {
    return null;
  }
}

/** True when `ip` lies in one of `ranges` (normalised CIDRs). */
export function addressInRange(ip: string | undefined, range: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  const address = ip === undefined ? null : parseAddress(ip);
  if (!address || address.kind() !== range[0].kind()) return false;
  return address.match(range);
}

/**
 * 403 `blocked` when the caller's user, API key (or the key's owner) or address is on the block
 * list and the entry has not expired.
 */
export function blockRefusal(snapshot: ControlsSnapshot, principal: Principal, ip: string | undefined, now: Date): TRPCError | null {
  let rule: BlockRule | undefined;
  if (principal.kind === 'user') rule = live(snapshot.blockedUsers.get(principal.id), now);
  if (principal.kind === 'apiKey') {
    rule = live(snapshot.blockedKeys.get(principal.id), now) ?? live(snapshot.blockedUsers.get(principal.ownerId), now);
  }
  if (!rule && snapshot.blockedRanges.length > 0) {
    rule = snapshot.blockedRanges.find((entry) => live(entry.rule, now) && addressInRange(ip, entry.range))?.rule;
  }
  if (!rule) return null;
  const what = rule.kind === 'ip' ? 'This address' : rule.kind === 'apiKey' ? 'This API key' : 'This account';
  return blocked(`${what} is blocked${rule.reason ? `: ${rule.reason}` : ''}.`);
}

/** The snapshot of stored rows; ranges parsed once here rather than per request. */
export function buildSnapshot(input: {
  version: number;
  switches: SwitchRule[];
  blocks: BlockRule[];
  rateLimits: RateLimitTable;
  targetLimits: TargetLimitRule[];
}): ControlsSnapshot {
  const blockedUsers = new Map<string, BlockRule>();
  const blockedKeys = new Map<string, BlockRule>();
  const blockedRanges: ControlsSnapshot['blockedRanges'][number][] = [];
  for (const rule of input.blocks) {
    if (rule.kind === 'user') blockedUsers.set(rule.value, rule);
    else if (rule.kind === 'apiKey') blockedKeys.set(rule.value, rule);
    else if (ipaddr.isValidCIDR(rule.value)) blockedRanges.push({ range: ipaddr.parseCIDR(rule.value), rule });
  }
  return {
    version: input.version,
    switches: new Map(input.switches.map((rule) => [rule.target, rule])),
    blockedUsers,
    blockedKeys,
    blockedRanges,
    rateLimits: input.rateLimits,
    targetLimits: new Map(input.targetLimits.map((rule) => [rule.target, rule])),
  };
}

/** Paths that sign in: the `auth` class of rate limits (the token endpoint is a native route). */
const AUTH_CLASS_PATHS = new Set(['auth.login', 'auth.token']);

export function callClassOf(path: string, type: ProcedureType): CallClass {
  if (AUTH_CLASS_PATHS.has(path)) return 'auth';
  return type === 'mutation' ? 'write' : 'read';
}

/** The same table for both audiences from the two start-up settings. */
export function defaultRateLimits(options: { anonymousPerMinute: number; principalPerMinute: number }): RateLimitTable {
  const { anonymousPerMinute: a, principalPerMinute: p } = options;
  return { anonymous: { read: a, write: a, auth: a }, principal: { read: p, write: p, auth: p } };
}
