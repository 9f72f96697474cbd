import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/cn';
import type { TargetState } from './controls-model';

const STYLE: Record<TargetState, { label: string; className: string }> = {
  on: { label: 'On', className: 'bg-status-operational/12 text-status-operational-fg' },
  'read-only': { label: 'Read-only', className: 'bg-status-degraded/15 text-status-degraded-fg' },
  off: { label: 'Off', className: 'bg-status-major/12 text-status-major-fg' },
};

/** A switch state as a coloured word (the word carries the meaning; colour only helps). */
export function StateBadge({ state }: { state: TargetState }) {
  const { label, className } = STYLE[state];
  return <Badge className={cn('border-transparent', className)}>{label}</Badge>;
}
