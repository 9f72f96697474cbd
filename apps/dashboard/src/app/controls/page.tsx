import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { RequireScopes } from '@/features/auth/access-gates';
import { ControlsView } from '@/features/controls/controls-view';

export const metadata: Metadata = { title: 'Controls' };

export default function ControlsPage() {
  return (
    <RequireScopes scopes={['controls:read']} what="the runtime controls">
      {/* The block form's prefill (a link from the Traffic page) is in the URL, only known in the browser. */}
      <Suspense fallback={<Skeleton className="h-96" />}>
        <ControlsView />
      </Suspense>
    </RequireScopes>
  );
}
