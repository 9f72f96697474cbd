import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { RequireScopes } from '@/features/auth/access-gates';
import { InviteUser } from '@/features/users/invite-user';
import { UsersTable } from '@/features/users/users-table';

export const metadata: Metadata = { title: 'Users' };

export default function UsersPage() {
  return (
    <RequireScopes scopes={['users:manage']} what="user management">
      <PageHeader title="Users" description="Who can sign in to Bastion, and with which role." />
      <div className="space-y-6">
        <InviteUser />
        <UsersTable />
      </div>
    </RequireScopes>
  );
}
