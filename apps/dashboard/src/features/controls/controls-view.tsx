'use client';

import { PageHeader } from '@/components/page-header';
import { QueryError } from '@/components/states';
import { Skeleton } from '@/components/ui/skeleton';
import { useSession } from '@/features/auth/use-session';
import { BlockList } from './block-list';
import { KillSwitches, WholeApiSwitch } from './kill-switches';
import { RateLimits } from './rate-limits';
import { RecentChanges } from './recent-changes';
import { TargetLimits } from './target-limits';
import { useControls } from './use-controls';

/** The runtime controls: what an operator pulls during an incident or an attack. */
export function ControlsView() {
  const controls = useControls();
  const { can } = useSession();
  return (
    <div data-testid="controls" className="space-y-6">
      <PageHeader
        title="Controls"
        description={
          can(['controls:write'])
            ? 'Switch parts of the API off, make it read-only, tune rate limits and block callers. Changes reach every instance within 2 s and are audited.'
            : 'What is switched off, limited or blocked right now. Your role can look but not change anything.'
        }
      />
      {controls.data ? (
        <>
          <WholeApiSwitch controls={controls.data} />
          <KillSwitches controls={controls.data} />
          <RateLimits limits={controls.data.rateLimits} />
          <TargetLimits limits={controls.data.targetLimits} targets={controls.data.targets} />
          <BlockList blocks={controls.data.blocks} />
          <RecentChanges changes={controls.data.recentChanges} />
        </>
      ) : controls.isError ? (
        <QueryError error={controls.error} what="the controls" onRetry={() => void controls.refetch()} />
      ) : (
        <Skeleton className="h-96" />
      )}
    </div>
  );
}
