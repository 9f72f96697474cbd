import type { IncidentSummary } from '@bastion/api/incidents/schema';
import type { ServiceStatus, ServiceTier } from '@bastion/api/services/schema';
import {
  CircleCheck,
  CircleMinus,
  CircleQuestionMark,
  OctagonX,
  TriangleExclamationPoint,
  type LucideIcon,
} from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/cn';
import { INCIDENT_STATUS_LABEL, SEVERITY_LOOK, STATUS_LOOK, TIER_LOOK } from '@/lib/status';

export const STATUS_ICON: Record<ServiceStatus, LucideIcon> = {
  operational: CircleCheck,
  unknown: CircleQuestionMark,
  degraded: TriangleExclamationPoint,
  partial_outage: CircleMinus,
  major_outage: OctagonX,
};

/** A service status as icon + label in the status colour: never colour alone. */
export function StatusBadge({ status, className }: { status: ServiceStatus; className?: string }) {
  const look = STATUS_LOOK[status];
  const Icon = STATUS_ICON[status];
  return (
    <Badge className={cn('border-transparent', look.tint, look.text, className)} data-status={status}>
      <Icon aria-hidden className="size-3.5" />
      {look.label}
    </Badge>
  );
}

export function StatusDot({ status, className }: { status: ServiceStatus; className?: string }) {
  return <span aria-hidden className={cn('inline-block size-2.5 shrink-0 rounded-full', STATUS_LOOK[status].solid, className)} />;
}

export function TierBadge({ tier, className }: { tier: ServiceTier; className?: string }) {
  const look = TIER_LOOK[tier];
  return (
    <Badge className={cn('uppercase tracking-wide text-[0.65rem]', look.className, className)} title={`${look.label} tier`}>
      <span className="sr-only">Tier: </span>
      {look.label}
    </Badge>
  );
}

export function SeverityBadge({ severity, className }: { severity: IncidentSummary['severity']; className?: string }) {
  const look = SEVERITY_LOOK[severity];
  const status = STATUS_LOOK[look.status];
  return (
    <Badge className={cn('border-transparent font-semibold', status.tint, status.text, className)} title={look.description}>
      <span className="sr-only">Severity </span>
      {look.label}
    </Badge>
  );
}

export function IncidentStatusBadge({ status, className }: { status: IncidentSummary['status']; className?: string }) {
  return (
    <Badge
      className={cn(
        status === 'resolved' ? 'border-transparent bg-status-operational/12 text-status-operational-fg' : 'bg-card',
        className,
      )}
    >
      {INCIDENT_STATUS_LABEL[status]}
    </Badge>
  );
}
