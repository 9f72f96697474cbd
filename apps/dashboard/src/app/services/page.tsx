import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { ServicesTable } from '@/features/services/services-table';

export const metadata: Metadata = { title: 'Services' };

export default function ServicesPage() {
  return (
    // The filters live in the URL (useSearchParams), which is only known in the browser.
    <Suspense fallback={<Skeleton className="h-96" />}>
      <ServicesTable />
    </Suspense>
  );
}
