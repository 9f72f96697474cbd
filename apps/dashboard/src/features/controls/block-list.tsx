'use client';

import { type BlockOutput, createBlockInput } from '@bastion/api/controls/schema';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Ban, Trash2 } from 'lucide-react';
import { type SubmitEvent, useState } from 'react';
import { Age } from '@/components/age';
import { FormErrorSummary } from '@/components/form-error-summary';
import { EmptyState, describeQueryError } from '@/components/states';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Can } from '@/features/auth/access-gates';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { messageFor } from '@/lib/form-errors';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { blockPrefill } from './block-prefill';
import { actorLabel, localDateTimeToIso } from './controls-model';
import { useRefreshControls } from './use-controls';

type Kind = BlockOutput['kind'];

const KINDS: readonly { value: Kind; label: string; placeholder: string }[] = [
  { value: 'ip', label: 'IP address or range', placeholder: '203.0.113.0/24' },
  { value: 'apiKey', label: 'API key id', placeholder: 'the key’s id (a UUID)' },
  { value: 'user', label: 'User id', placeholder: 'the user’s id (a UUID)' },
];
const KIND_LABEL: Record<Kind, string> = { ip: 'IP / range', apiKey: 'API key', user: 'User' };

interface Values extends Record<string, unknown> {
  kind: Kind;
  value: string;
  reason: string;
  expiresAt: string;
}

const INITIAL: Values = { kind: 'ip', value: '', reason: '', expiresAt: '' };
const LABELS = { kind: 'Kind', value: 'Value', reason: 'Reason', expiresAt: 'Expires' };

function toInput(v: Values) {
  const expiresAt = localDateTimeToIso(v.expiresAt);
  return { kind: v.kind, value: v.value, ...(v.reason.trim() ? { reason: v.reason } : {}), ...(expiresAt ? { expiresAt } : {}) };
}

/** Who and what is denied, and (for writers) how to add and lift entries. */
export function BlockList({ blocks }: { blocks: readonly BlockOutput[] }) {
  return (
    <Card aria-labelledby="blocks-title">
      <CardHeader>
        <div>
          <CardTitle id="blocks-title">Block list</CardTitle>
          <CardDescription>Blocked callers get 403 on both faces at once. Blocking a user blocks their API keys too.</CardDescription>
        </div>
      </CardHeader>
      <Can scopes={['controls:write']}>
        <AddBlock />
      </Can>
      {blocks.length === 0 ? (
        <div className="px-5 pb-5">
          <EmptyState title="Nobody is blocked" />
        </div>
      ) : (
        <Table aria-label="Block list">
          <THead>
            <TR className="hover:bg-transparent">
              <TH>Kind</TH>
              <TH>Value</TH>
              <TH>Reason</TH>
              <TH>Expires</TH>
              <TH>Added</TH>
              <Can scopes={['controls:write']}>
                <TH>
                  <span className="sr-only">Actions</span>
                </TH>
              </Can>
            </TR>
          </THead>
          <TBody>
            {blocks.map((block) => (
              <TR key={block.id} data-testid="block-row" data-value={block.value}>
                <TD className="whitespace-nowrap">{KIND_LABEL[block.kind]}</TD>
                <TD className="font-mono text-xs">{block.value}</TD>
                <TD className="max-w-64 truncate text-muted-foreground" title={block.reason ?? undefined}>
                  {block.reason ?? '—'}
                </TD>
                <TD className="whitespace-nowrap text-muted-foreground">{block.expiresAt ? formatDateTime(block.expiresAt) : 'never'}</TD>
                <TD className="whitespace-nowrap text-muted-foreground">
                  {actorLabel(block.changedBy)}, <Age since={block.changedAt} suffix=" ago" />
                </TD>
                <Can scopes={['controls:write']}>
                  <TD className="text-right">
                    <RemoveBlock block={block} />
                  </TD>
                </Can>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function AddBlock() {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const create = useMutation(trpc.controls.blocks.create.mutationOptions({ onSettled: refresh }));
  // Arriving from the Traffic page's "Block" link: the form is filled in, not submitted.
  const prefill = blockPrefill(useSearchParams());
  const form = useSchemaForm(prefill ? { ...INITIAL, ...prefill } : INITIAL, { schema: createBlockInput, toInput, fields: ['kind', 'value', 'reason', 'expiresAt'], conflictPointer: '/value' });
  const kind = KINDS.find((k) => k.value === form.values.kind) ?? KINDS[0];

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    create.mutate(input, { onSuccess: () => { form.reset(INITIAL); }, onError: form.fail });
  }

  return (
    <CardContent>
      <form id={form.formId} noValidate onSubmit={submit} aria-label="Add a block" className="grid gap-4">
        <FormErrorSummary errors={form.errors} labels={LABELS} />
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[12rem_1fr_1fr_14rem]">
          <Field label="Kind" error={messageFor(form.errors.fields, 'kind')}>
            <NativeSelect name="kind" value={form.values.kind} onChange={(e) => { form.set('kind', e.target.value as Kind); }}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Value" error={messageFor(form.errors.fields, 'value')}>
            <Input name="value" className="font-mono" placeholder={kind?.placeholder} value={form.values.value} onChange={(e) => { form.set('value', e.target.value); }} />
          </Field>
          <Field label="Reason" error={messageFor(form.errors.fields, 'reason')}>
            <Input name="reason" value={form.values.reason} onChange={(e) => { form.set('reason', e.target.value); }} />
          </Field>
          <Field label="Expires (optional)" error={messageFor(form.errors.fields, 'expiresAt')}>
            <Input name="expiresAt" type="datetime-local" value={form.values.expiresAt} onChange={(e) => { form.set('expiresAt', e.target.value); }} />
          </Field>
        </div>
        <div>
          <Button type="submit" variant="destructive" disabled={create.isPending}>
            <Ban aria-hidden /> {create.isPending ? 'Blocking…' : 'Block'}
          </Button>
        </div>
      </form>
    </CardContent>
  );
}

function RemoveBlock({ block }: { block: BlockOutput }) {
  const [open, setOpen] = useState(false);
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const remove = useMutation(trpc.controls.blocks.delete.mutationOptions({ onSettled: refresh }));
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        remove.reset();
      }}
    >
      <AlertDialog.Trigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Remove the block on ${block.value}`}>
          <Trash2 aria-hidden /> Remove
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg">
          <AlertDialog.Title className="text-lg font-semibold">Lift the block on {block.value}?</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">Its calls are answered again within 2 s.</AlertDialog.Description>
          {remove.isError ? (
            <p role="alert" className="rounded-md border border-destructive/50 bg-destructive/10 px-3 py-2 text-sm">
              {describeQueryError(remove.error)}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Cancel</AlertDialog.Cancel>
            <Button disabled={remove.isPending} onClick={() => { remove.mutate({ id: block.id }, { onSuccess: () => { setOpen(false); } }); }}>
              {remove.isPending ? 'Removing…' : 'Lift block'}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
