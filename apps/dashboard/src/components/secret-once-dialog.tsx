'use client';

import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { TriangleExclamationPoint } from 'lucide-react';
import type { ReactNode } from 'react';
import { CopyButton } from '@/components/copy-button';
import { buttonVariants } from '@/components/ui/button';

/**
 * Shows a secret the server returns once (a new API key, a generated password) with a copy
 * button. An alert dialog: it closes only by the explicit "I've copied it", never by a stray
 * click outside, because the secret cannot be shown again.
 */
export function SecretOnceDialog({
  open,
  onClose,
  title,
  what,
  secret,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What the secret is, for the copy button's label: "API key", "temporary password". */
  what: string;
  secret: string;
  /** How to use it. */
  children?: ReactNode;
}) {
  return (
    <AlertDialog.Root open={open} onOpenChange={(next) => { if (!next) onClose(); }}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content
          data-testid="secret-dialog"
          className="fixed left-1/2 top-1/2 z-50 grid w-[min(36rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg"
        >
          <AlertDialog.Title className="text-lg font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="flex gap-3 rounded-lg border border-status-degraded/60 bg-status-degraded/10 px-4 py-3 text-sm">
              <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-status-degraded-fg" />
              <p>
                <strong className="font-semibold">Copy it now: you won’t see it again.</strong> Bastion stores only a hash of
                it. If you lose it, create a new one.
              </p>
            </div>
          </AlertDialog.Description>
          <div className="flex items-center gap-2">
            <code
              data-testid="secret-value"
              tabIndex={0}
              className="min-w-0 flex-1 select-all break-all rounded-md border bg-muted px-3 py-2 font-mono text-sm"
            >
              {secret}
            </code>
            <CopyButton text={secret} label={what} />
          </div>
          {children ? <div className="text-sm text-muted-foreground">{children}</div> : null}
          <div className="flex justify-end">
            <AlertDialog.Action className={buttonVariants()}>I’ve copied it</AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
