import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { ServiceForm } from '@/features/services/service-form';

export const metadata: Metadata = { title: 'New service' };

export default function NewServicePage() {
  return (
    <>
      <PageHeader title="New service" description="Add a service to the catalogue. Monitors can report heartbeats for it as soon as it exists." />
      <ServiceForm />
    </>
  );
}
