'use client';

import { isTRPCClientError } from '@trpc/client';
import { RefreshCw, TriangleExclamationPoint } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';

/** Nothing to show yet, with what to do about it. */
export function EmptyState({
  title,
  children,
  action,
  className,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn('flex flex-col items-center gap-2 rounded-lg border border-dashed px-6 py-10 text-center', className)}>
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted-foreground">{children}</div> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** A short operator-facing explanation of a failed query. */
export function describeQueryError(error: unknown): string {
  if (isTRPCClientError(error)) {
    if (!error.data) return 'The API server could not be reached.';
    return error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** A failed load with a retry button; the polling keeps retrying on its own too. */
export function QueryError({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-destructive/50 bg-destructive/10 px-4 py-3 text-sm">
      <TriangleExclamationPoint aria-hidden className="size-4 text-destructive" />
      <span>
        Could not load {what}: {describeQueryError(error)}
      </span>
      {onRetry ? (
        <Button variant="outline" size="sm" onClick={onRetry} className="ml-auto">
          <RefreshCw aria-hidden /> Retry
        </Button>
      ) : null}
    </div>
  );
}
