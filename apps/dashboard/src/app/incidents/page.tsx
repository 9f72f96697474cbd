import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { IncidentsList } from '@/features/incidents/incidents-list';

export const metadata: Metadata = { title: 'Incidents' };

export default function IncidentsPage() {
  return (
    <Suspense fallback={<Skeleton className="h-96" />}>
      <IncidentsList />
    </Suspense>
  );
}
