import type { ServiceStatus, StatusReason } from './services.schema.js';

/** Worse is higher. `unknown` sits just above operational: silence is a warning, not an outage. */
export const STATUS_SEVERITY: Record<ServiceStatus, number> = {
  operational: 0,
  unknown: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function worstStatus(statuses: Iterable<ServiceStatus>): ServiceStatus {
  let worst: ServiceStatus = 'operational';
  for (const status of statuses) if (STATUS_SEVERITY[status] > STATUS_SEVERITY[worst]) worst = status;
  return worst;
}

const INCIDENT_STATUS = { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded', sev4: 'degraded' } as const;
const HEARTBEAT_STATUS = { down: 'major_outage', degraded: 'degraded', up: 'operational' } as const;
/** A service that has not reported for this many intervals is `unknown`. */
export const STALE_AFTER_INTERVALS = 3;

export interface StatusFacts {
  slug: string;
  createdAt: Date;
  heartbeatIntervalSeconds: number;
  dependsOn: readonly string[];
  lastHeartbeat: { status: 'up' | 'degraded' | 'down'; observedAt: Date } | null;
  openIncidents: readonly { id: string; title: string; severity: 'sev1' | 'sev2' | 'sev3' | 'sev4' }[];
}

export interface DerivedStatus {
  status: ServiceStatus;
  reasons: StatusReason[];
}

/**
 * The last moment (ms since the epoch) a service still counts as reporting: after it, silence for
 * `STALE_AFTER_INTERVALS` intervals since its last heartbeat (or its creation) makes it `unknown`.
 * The only way the passing of time changes a status.
 */
export function lastFreshMoment(facts: StatusFacts): number {
  const silentSince = facts.lastHeartbeat?.observedAt ?? facts.createdAt;
  return silentSince.getTime() + STALE_AFTER_INTERVALS * facts.heartbeatIntervalSeconds * 1000;
}

/**
 * A service's own status, before its dependencies are considered: the worst of its open
 * incidents, its last heartbeat, and silence for `STALE_AFTER_INTERVALS` intervals (counted from
 * creation when it never reported).
 */
export function ownStatus(facts: StatusFacts, now: Date): DerivedStatus {
  const reasons: StatusReason[] = [];
  for (const incident of facts.openIncidents) {
    reasons.push({
      kind: 'incident',
      status: INCIDENT_STATUS[incident.severity],
      detail: `Open ${incident.severity} incident: ${incident.title}`,
      ref: incident.id,
    });
  }
  const heartbeat = facts.lastHeartbeat;
  if (now.getTime() > lastFreshMoment(facts)) {
    reasons.push({
      kind: 'stale',
      status: 'unknown',
      detail: heartbeat
        ? `No heartbeat since ${heartbeat.observedAt.toISOString()} (expected every ${facts.heartbeatIntervalSeconds}s).`
        : `No heartbeat ever reported (expected every ${facts.heartbeatIntervalSeconds}s).`,
      ref: null,
    });
  } else if (heartbeat && heartbeat.status !== 'up') {
    // A stale heartbeat says nothing about now: silence is `unknown`, and only an open incident
    // may say worse (the rule as specified), so an old `down` does not outlive its interval.
    reasons.push({
      kind: 'heartbeat',
      status: HEARTBEAT_STATUS[heartbeat.status],
      detail: `Last heartbeat reported ${heartbeat.status} at ${heartbeat.observedAt.toISOString()}.`,
      ref: null,
    });
  }
  return { status: worstStatus(reasons.map((r) => r.status)), reasons };
}

/**
 * Status of every service: its own, made at least `degraded` by any dependency whose own status
 * is `major_outage`. Degradation does not cascade further: a dependency that is merely degraded
 * because of *its* dependency does not degrade its callers.
 */
export function deriveStatuses(fleet: readonly StatusFacts[], now: Date): Map<string, DerivedStatus> {
  const own = new Map(fleet.map((facts) => [facts.slug, ownStatus(facts, now)]));
  const derived = new Map<string, DerivedStatus>();
  for (const facts of fleet) {
    const mine = own.get(facts.slug) ?? { status: 'operational' as const, reasons: [] };
    const reasons = [...mine.reasons];
    for (const dependency of facts.dependsOn) {
      if (own.get(dependency)?.status === 'major_outage') {
        reasons.push({
          kind: 'dependency',
          status: 'degraded',
          detail: `Depends on ${dependency}, which is in a major outage.`,
          ref: dependency,
        });
      }
    }
    derived.set(facts.slug, { status: worstStatus(reasons.map((r) => r.status)), reasons });
  }
  return derived;
}
