import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { RequireScopes } from '@/features/auth/access-gates';
import { ServiceForm } from '@/features/services/service-form';

export const metadata: Metadata = { title: 'New service' };

export default function NewServicePage() {
  return (
    <RequireScopes scopes={['services:write']} what="adding services">
      <PageHeader title="New service" description="Add a service to the catalogue. Monitors can report heartbeats for it as soon as it exists." />
      <ServiceForm />
    </RequireScopes>
  );
}
