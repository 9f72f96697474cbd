'use client';

import { setSwitchInput } from '@bastion/api/controls/schema';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useMutation } from '@tanstack/react-query';
import type { SubmitEvent } from 'react';
import { FormErrorSummary } from '@/components/form-error-summary';
import { Button, buttonVariants } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { messageFor } from '@/lib/form-errors';
import { useTRPC } from '@/lib/trpc';
import { useRefreshControls } from './use-controls';

interface Values extends Record<string, unknown> {
  reason: string;
  retryAfterSeconds: string;
}

const LABELS = { reason: 'Reason', retryAfterSeconds: 'Retry-After', target: 'Target' };

/** What a target is called in the dialog: `*` is the whole API. */
const nameOf = (target: string) => (target === '*' ? 'the whole API' : target);

/**
 * Asks for the reason and Retry-After of a switch, and confirms it: switching off makes every
 * call to the target fail, so it is a destructive action and says so.
 */
export function SwitchDialog({
  target,
  state,
  initial,
  onClose,
}: {
  target: string;
  state: 'off' | 'read-only';
  initial: { reason: string; retryAfterSeconds: number };
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const set = useMutation(trpc.controls.switches.set.mutationOptions({ onSettled: refresh }));
  const form = useSchemaForm<Values, typeof setSwitchInput>(
    { reason: initial.reason, retryAfterSeconds: String(initial.retryAfterSeconds) },
    {
      schema: setSwitchInput,
      toInput: (v) => ({
        target,
        state,
        ...(v.reason.trim() ? { reason: v.reason } : {}),
        retryAfterSeconds: v.retryAfterSeconds === '' ? undefined : Number(v.retryAfterSeconds),
      }),
      fields: ['reason', 'retryAfterSeconds'],
    },
  );

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    set.mutate(input, { onSuccess: onClose, onError: form.fail });
  }

  const off = state === 'off';
  return (
    <AlertDialog.Root open onOpenChange={(open) => { if (!open) onClose(); }}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg">
          <AlertDialog.Title className="text-lg font-semibold">
            {off ? `Switch off ${nameOf(target)}?` : `Make ${nameOf(target)} read-only?`}
          </AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">
            {off
              ? 'Every call to it answers 503 at once, on every instance, until you switch it on again.'
              : 'Queries keep working; every change answers 503 until you lift it.'}
          </AlertDialog.Description>
          <form id={form.formId} noValidate onSubmit={submit} aria-label="Switch" className="grid gap-4">
            <FormErrorSummary errors={form.errors} labels={LABELS} />
            <Field label="Reason" description="Shown to refused callers and kept in the audit log." error={messageFor(form.errors.fields, 'reason')}>
              <Input name="reason" value={form.values.reason} onChange={(e) => { form.set('reason', e.target.value); }} />
            </Field>
            <Field label="Retry-After (seconds)" description="What refused callers are told to wait." error={messageFor(form.errors.fields, 'retryAfterSeconds')}>
              <Input
                name="retryAfterSeconds"
                type="number"
                min={1}
                inputMode="numeric"
                value={form.values.retryAfterSeconds}
                onChange={(e) => { form.set('retryAfterSeconds', e.target.value); }}
              />
            </Field>
            <div className="flex justify-end gap-2">
              <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Cancel</AlertDialog.Cancel>
              <Button type="submit" variant={off ? 'destructive' : 'default'} disabled={set.isPending}>
                {set.isPending ? 'Saving…' : off ? 'Switch off' : 'Make read-only'}
              </Button>
            </div>
          </form>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
