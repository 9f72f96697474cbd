'use client';

import { TriangleExclamationPoint } from 'lucide-react';
import { Button } from '@/components/ui/button';

/** The error boundary of every page: a render error shows here, the header stays usable. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto flex max-w-lg flex-col items-center gap-3 py-16 text-center">
      <TriangleExclamationPoint aria-hidden className="size-8 text-destructive" />
      <h1 className="text-xl font-semibold">This page failed to render</h1>
      <p className="text-sm text-muted-foreground">
        {error.message || 'An unexpected error occurred.'}
        {error.digest ? ` (reference ${error.digest})` : null}
      </p>
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
