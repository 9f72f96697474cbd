import type { Actor, SwitchOutput } from '@bastion/api/controls/schema';


/** What a row of the kill-switch table shows: no switch is `on`. */
export type TargetState = SwitchOutput['state'] | 'on';

export const TARGET_STATES: readonly { value: TargetState; label: string }[] = [
  { value: 'on', label: 'On' },
  { value: 'read-only', label: 'Read-only' },
  { value: 'off', label: 'Off' },
];

/** One switchable module with the nested routers and procedures under it. */
export interface ModuleTargets {
  module: string;
  /** Nested routers and procedures (`incidents.updates`, `incidents.updates.create`), sorted. */
  children: string[];
}

/**
 * Groups the API's switchable targets by module (the first path segment), so procedures can
 * be folded under their module. Modules keep the API's order; a procedure whose module is not
 * itself a target still gets a group.
 */
export function groupTargets(targets: readonly string[]): ModuleTargets[] {
  const groups = new Map<string, string[]>();
  for (const target of targets) {
    const [module = target] = target.split('.');
    const children = groups.get(module) ?? [];
    if (target !== module) children.push(target);
    groups.set(module, children);
  }
  return [...groups].map(([module, children]) => ({ module, children: children.sort() }));
}

/** The switches in force, by target. */
export function switchesByTarget(switches: readonly SwitchOutput[]): Map<string, SwitchOutput> {
  return new Map(switches.map((s) => [s.target, s]));
}

/** Who made a change, in words. */
export function actorLabel(actor: Actor | null): string {
  if (!actor) return '—';
  if (actor.kind === 'anonymous') return 'anonymous';
  const name = actor.label ?? actor.id ?? 'unknown';
  return actor.kind === 'apiKey' ? `key ${name}` : name;
}

/** A rate limit for display: 0 means no limit at all. */
export function formatLimit(perMinute: number): string {
  return perMinute === 0 ? 'unlimited' : `${perMinute.toLocaleString('en')}/min`;
}

/** A `datetime-local` value (local time, no zone) → ISO 8601 with offset; undefined when empty or unreadable. */
export function localDateTimeToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** The per-target limit form as typed: strings, checked by the API's own schema on submit. */
export interface TargetLimitValues extends Record<string, unknown> {
  target: string;
  perMinute: string;
  reason: string;
}

/**
 * The form's values → `controls.targetLimits.set` input. An empty box stays undefined so the
 * schema says a number is expected, rather than sending 0 (which it would refuse as too low anyway).
 */
export function targetLimitToInput(values: TargetLimitValues) {
  const perMinute = values.perMinute.trim() === '' ? undefined : Number(values.perMinute);
  return { target: values.target, perMinute, ...(values.reason.trim() ? { reason: values.reason } : {}) };
}
