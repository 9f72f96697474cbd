import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { RequireScopes } from '@/features/auth/access-gates';
import { AuditLog } from '@/features/audit/audit-log';

export const metadata: Metadata = { title: 'Audit log' };

export default function AuditPage() {
  return (
    <RequireScopes scopes={['audit:read']} what="the audit log">
      <Suspense fallback={<Skeleton className="h-96" />}>
        <AuditLog />
      </Suspense>
    </RequireScopes>
  );
}
