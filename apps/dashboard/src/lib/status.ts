import type { StripBucketStatus } from '@bastion/api/heartbeats/schema';
import type { IncidentSummary } from '@bastion/api/incidents/schema';
import type { ServiceStatus, ServiceTier, StatusReason } from '@bastion/api/services/schema';

type IncidentSeverity = IncidentSummary['severity'];
type IncidentStatus = IncidentSummary['status'];

/** How a status looks: a label, classes for shapes (`solid`), text (`text`) and tinted surfaces. */
export interface StatusLook {
  label: string;
  /** One line for tooltips and legends. */
  description: string;
  /** Background of a dot, a strip cell or a bar. */
  solid: string;
  /** Text that keeps 4.5:1 contrast on the card and on `tint`. */
  text: string;
  /** A light wash behind a tile or badge. */
  tint: string;
  /** A coloured border (graph nodes). */
  border: string;
  /** A coloured left edge (tiles, rows). */
  edge: string;
  /** Worse is higher; sorts lists worst first. */
  rank: number;
}

/**
 * Every service status, worst last. Colour is never the only signal: each look carries a label
 * (and components add an icon), so the dashboard reads the same in grey scale.
 */
export const STATUS_LOOK: Record<ServiceStatus, StatusLook> = {
  operational: {
    label: 'Operational',
    description: 'Reporting up; no open incident.',
    solid: 'bg-status-operational',
    text: 'text-status-operational-fg',
    tint: 'bg-status-operational/12',
    border: 'border-status-operational',
    edge: 'border-l-status-operational',
    rank: 0,
  },
  unknown: {
    label: 'Unknown',
    description: 'No recent heartbeat: the monitors have gone quiet.',
    solid: 'bg-status-unknown',
    text: 'text-status-unknown-fg',
    tint: 'bg-status-unknown/15',
    border: 'border-status-unknown',
    edge: 'border-l-status-unknown',
    rank: 1,
  },
  degraded: {
    label: 'Degraded',
    description: 'Working, but slow or erroring, or a dependency is down.',
    solid: 'bg-status-degraded',
    text: 'text-status-degraded-fg',
    tint: 'bg-status-degraded/15',
    border: 'border-status-degraded',
    edge: 'border-l-status-degraded',
    rank: 2,
  },
  partial_outage: {
    label: 'Partial outage',
    description: 'Part of the service is unavailable.',
    solid: 'bg-status-partial',
    text: 'text-status-partial-fg',
    tint: 'bg-status-partial/15',
    border: 'border-status-partial',
    edge: 'border-l-status-partial',
    rank: 3,
  },
  major_outage: {
    label: 'Major outage',
    description: 'The service is down.',
    solid: 'bg-status-major',
    text: 'text-status-major-fg',
    tint: 'bg-status-major/12',
    border: 'border-status-major',
    edge: 'border-l-status-major',
    rank: 4,
  },
};

/** The look of a status; `statusLook('major_outage').text` is the red text class. */
export function statusLook(status: ServiceStatus): StatusLook {
  return STATUS_LOOK[status];
}

/** The headline of the overall banner: the fleet's worst status, and how many services are not operational. */
export function bannerText(indicator: ServiceStatus, affected: number): string {
  if (indicator === 'operational') return 'All systems operational';
  return `${STATUS_LOOK[indicator].label}: ${plural(affected, 'service')} affected`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Sorts worst status first, then by tier (critical first), then by slug. */
export function compareByUrgency(
  a: { status: ServiceStatus; tier: ServiceTier; slug: string },
  b: { status: ServiceStatus; tier: ServiceTier; slug: string },
): number {
  return (
    STATUS_LOOK[b.status].rank - STATUS_LOOK[a.status].rank ||
    TIER_LOOK[a.tier].rank - TIER_LOOK[b.tier].rank ||
    a.slug.localeCompare(b.slug)
  );
}

export const TIER_LOOK: Record<ServiceTier, { label: string; rank: number; className: string }> = {
  critical: { label: 'Critical', rank: 0, className: 'border-transparent bg-foreground text-background' },
  high: { label: 'High', rank: 1, className: 'border-foreground/40 text-foreground' },
  medium: { label: 'Medium', rank: 2, className: 'border-border text-muted-foreground' },
  low: { label: 'Low', rank: 3, className: 'border-dashed border-border text-muted-foreground' },
};

/** Which service status each incident severity stands for (as the API derives it). */
export const SEVERITY_LOOK: Record<IncidentSeverity, { label: string; description: string; status: ServiceStatus }> = {
  sev1: { label: 'SEV1', description: 'Major outage: the service is down for everyone.', status: 'major_outage' },
  sev2: { label: 'SEV2', description: 'Partial outage: a significant part is unavailable.', status: 'partial_outage' },
  sev3: { label: 'SEV3', description: 'Degraded: slow or failing for some users.', status: 'degraded' },
  sev4: { label: 'SEV4', description: 'Minor: little user impact.', status: 'degraded' },
};

export const INCIDENT_STATUS_LABEL: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

/** Heartbeat strip cells: the worst heartbeat of the interval. */
export const BUCKET_LOOK: Record<StripBucketStatus, { label: string; className: string }> = {
  up: { label: 'Up', className: 'bg-status-operational' },
  degraded: { label: 'Degraded', className: 'bg-status-degraded' },
  down: { label: 'Down', className: 'bg-status-major' },
  missing: { label: 'No data', className: 'bg-status-missing' },
};

export const REASON_LABEL: Record<StatusReason['kind'], string> = {
  incident: 'Open incident',
  heartbeat: 'Heartbeat',
  stale: 'Silent monitors',
  dependency: 'Dependency',
};
