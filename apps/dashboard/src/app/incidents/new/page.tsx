import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { RequireScopes } from '@/features/auth/access-gates';
import { DeclareIncident } from '@/features/incidents/declare-incident';

export const metadata: Metadata = { title: 'Declare an incident' };

export default function DeclareIncidentPage() {
  return (
    <RequireScopes scopes={['incidents:write']} what="declaring incidents">
      <PageHeader
        title="Declare an incident"
        description="Affected services take the incident's severity as their status until it is resolved."
      />
      <Suspense fallback={<Skeleton className="h-96 max-w-3xl" />}>
        <DeclareIncident />
      </Suspense>
    </RequireScopes>
  );
}
