import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { ApiKeysTable } from '@/features/api-keys/api-keys-table';
import { CreateApiKey } from '@/features/api-keys/create-api-key';
import { RequireScopes } from '@/features/auth/access-gates';

export const metadata: Metadata = { title: 'API keys' };

export default function ApiKeysPage() {
  return (
    <RequireScopes scopes={['keys:manage']} what="API keys">
      <PageHeader
        title="API keys"
        description={
          <>
            Keys let machines call the API: send one as <code className="font-mono">X-API-Key</code>.
          </>
        }
      />
      <div className="space-y-6">
        <CreateApiKey />
        {/* `?key=` (a link from the Traffic page) is only known in the browser. */}
        <Suspense fallback={<Skeleton className="h-64" />}>
          <ApiKeysTable />
        </Suspense>
      </div>
    </RequireScopes>
  );
}
