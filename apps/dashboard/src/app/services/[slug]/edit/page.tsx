import type { Metadata } from 'next';
import { RequireScopes } from '@/features/auth/access-gates';
import { EditService } from '@/features/services/edit-service';

export async function generateMetadata({ params }: PageProps<'/services/[slug]/edit'>): Promise<Metadata> {
  return { title: `Edit ${(await params).slug}` };
}

export default async function EditServicePage({ params }: PageProps<'/services/[slug]/edit'>) {
  const { slug } = await params;
  return (
    <RequireScopes scopes={['services:write']} what="editing services">
      <EditService slug={slug} />
    </RequireScopes>
  );
}
