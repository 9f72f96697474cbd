import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { RequireScopes } from '@/features/auth/access-gates';
import { AccountSummary } from '@/features/auth/account-summary';
import { ChangePassword } from '@/features/auth/change-password';

export const metadata: Metadata = { title: 'Account' };

export default function AccountPage() {
  return (
    <RequireScopes scopes={[]} what="your account">
      <PageHeader title="Account" description="Your sign-in details." />
      <div className="space-y-6">
        <AccountSummary />
        <ChangePassword />
      </div>
    </RequireScopes>
  );
}
