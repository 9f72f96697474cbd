'use client';

import type { Scope } from '@bastion/api/scopes';
import { Lock } from 'lucide-react';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { QueryError } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { isUnauthorized } from '@/lib/unauthorized-link';
import { useSession } from './use-session';

/** Renders `children` only for a principal holding every scope in `scopes` (buttons, links, forms). */
export function Can({ scopes, children, fallback = null }: { scopes: readonly Scope[]; children: ReactNode; fallback?: ReactNode }) {
  const { can } = useSession();
  return <>{can(scopes) ? children : fallback}</>;
}

/**
 * A page's gate: its content for a principal with `scopes`, a clear "no access" state for one
 * without (someone who typed the address), and a placeholder while the principal loads.
 */
export function RequireScopes({ scopes, what, children }: { scopes: readonly Scope[]; what: string; children: ReactNode }) {
  const session = useSession();
  if (session.isPending || (session.error && isUnauthorized(session.error))) {
    // Unauthorized: the browser is on its way to the sign-in page.
    return <Skeleton className="h-64" />;
  }
  if (!session.principal) {
    return <QueryError error={session.error} what="your account" onRetry={() => void session.refetch()} />;
  }
  if (!session.can(scopes)) {
    const missing = scopes.filter((s) => !session.principal?.scopes.includes(s));
    return <NoAccess what={what} role={session.principal.role} missing={missing} />;
  }
  return <>{children}</>;
}

/** What someone sees on a page their role does not include, and what to do about it. */
export function NoAccess({ what, role, missing }: { what: string; role: string | null; missing: readonly Scope[] }) {
  return (
    <div
      data-testid="no-access"
      className="mx-auto mt-8 flex max-w-lg flex-col items-center gap-3 rounded-lg border bg-card px-6 py-10 text-center shadow-xs"
    >
      <span className="flex size-10 items-center justify-center rounded-full bg-muted">
        <Lock aria-hidden className="size-5 text-muted-foreground" />
      </span>
      <h1 className="text-xl font-semibold">You don’t have access to {what}</h1>
      <p className="text-sm text-muted-foreground">
        {role ? (
          <>
            Your role, <strong className="font-medium text-foreground">{role}</strong>, does not include{' '}
          </>
        ) : (
          'This credential does not include '
        )}
        {missing.map((scope, i) => (
          <span key={scope}>
            {i > 0 ? ', ' : null}
            <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">{scope}</code>
          </span>
        ))}
        . Ask an administrator if you need it.
      </p>
      <Button asChild variant="outline">
        <Link href="/">Back to the overview</Link>
      </Button>
    </div>
  );
}
