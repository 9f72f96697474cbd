'use client';

import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { useSession } from './use-session';

/** Who is signed in: the email they sign in with and their role. */
export function AccountSummary() {
  const { principal } = useSession();
  return (
    <Card aria-labelledby="account-summary-title">
      <CardHeader>
        <CardTitle id="account-summary-title">Signed in as</CardTitle>
      </CardHeader>
      <CardContent>
        {principal ? (
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-muted-foreground">Email</dt>
            <dd className="font-medium" data-testid="account-email">
              {principal.label}
            </dd>
            <dt className="text-muted-foreground">Role</dt>
            <dd className="font-medium capitalize">{principal.role ?? 'API key'}</dd>
          </dl>
        ) : (
          <Skeleton className="h-12 w-64" />
        )}
      </CardContent>
    </Card>
  );
}
