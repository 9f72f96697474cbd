'use client';

import { setTargetLimitInput, type TargetLimitOutput } from '@bastion/api/controls/schema';
import { useMutation } from '@tanstack/react-query';
import { Gauge, Trash2 } from 'lucide-react';
import type { SubmitEvent } from 'react';
import { Age } from '@/components/age';
import { FormErrorSummary } from '@/components/form-error-summary';
import { EmptyState, describeQueryError } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Can } from '@/features/auth/access-gates';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { messageFor } from '@/lib/form-errors';
import { useTRPC } from '@/lib/trpc';
import { actorLabel, formatLimit, groupTargets, targetLimitToInput, type TargetLimitValues } from './controls-model';
import { useRefreshControls } from './use-controls';

const INITIAL: TargetLimitValues = { target: '', perMinute: '', reason: '' };
const LABELS = { target: 'Module or procedure', perMinute: 'Requests a minute', reason: 'Reason' };

/**
 * Per-target limits: throttle one module or procedure per caller, on top of the class limits —
 * what an operator reaches for when one module is flooded and the rest must keep answering.
 */
export function TargetLimits({ limits, targets }: { limits: readonly TargetLimitOutput[]; targets: readonly string[] }) {
  return (
    <Card aria-labelledby="target-limits-title">
      <CardHeader>
        <div>
          <CardTitle id="target-limits-title">Per-target limits</CardTitle>
          <CardDescription>
            Requests a minute each caller may make to one module or procedure, on top of the rate limits above. Over it: 429 on both faces.
          </CardDescription>
        </div>
      </CardHeader>
      <Can scopes={['controls:write']}>
        <AddTargetLimit targets={targets} />
      </Can>
      {limits.length === 0 ? (
        <div className="px-5 pb-5">
          <EmptyState title="No module or procedure is throttled" />
        </div>
      ) : (
        <Table aria-label="Per-target limits">
          <THead>
            <TR className="hover:bg-transparent">
              <TH>Target</TH>
              <TH className="text-right">Limit per caller</TH>
              <TH>Reason</TH>
              <TH>Set</TH>
              <Can scopes={['controls:write']}>
                <TH>
                  <span className="sr-only">Actions</span>
                </TH>
              </Can>
            </TR>
          </THead>
          <TBody>
            {limits.map((limit) => (
              <TR key={limit.target} data-testid="target-limit-row" data-target={limit.target}>
                <TD className="font-mono text-xs">{limit.target}</TD>
                <TD className="text-right tabular-nums">{formatLimit(limit.perMinute)}</TD>
                <TD className="max-w-64 truncate text-muted-foreground" title={limit.reason ?? undefined}>
                  {limit.reason ?? '—'}
                </TD>
                <TD className="whitespace-nowrap text-muted-foreground">
                  {actorLabel(limit.changedBy)}, <Age since={limit.changedAt} suffix=" ago" />
                </TD>
                <Can scopes={['controls:write']}>
                  <TD className="text-right">
                    <RemoveTargetLimit target={limit.target} />
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

function AddTargetLimit({ targets }: { targets: readonly string[] }) {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const set = useMutation(trpc.controls.targetLimits.set.mutationOptions({ onSettled: refresh }));
  const form = useSchemaForm(INITIAL, { schema: setTargetLimitInput, toInput: targetLimitToInput, fields: ['target', 'perMinute', 'reason'] });

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    set.mutate(input, { onSuccess: () => { form.reset(); }, onError: form.fail });
  }

  return (
    <CardContent>
      <form id={form.formId} noValidate onSubmit={submit} aria-label="Add a per-target limit" className="grid gap-4">
        <FormErrorSummary errors={form.errors} labels={LABELS} />
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[16rem_12rem_1fr]">
          <Field label={LABELS.target} error={messageFor(form.errors.fields, 'target')}>
            <NativeSelect name="target" value={form.values.target} onChange={(e) => { form.set('target', e.target.value); }}>
              <option value="">Choose…</option>
              {groupTargets(targets).map((group) => (
                <optgroup key={group.module} label={group.module}>
                  <option value={group.module}>{group.module} (whole module)</option>
                  {group.children.map((child) => (
                    <option key={child} value={child}>
                      {child}
                    </option>
                  ))}
                </optgroup>
              ))}
            </NativeSelect>
          </Field>
          <Field label={LABELS.perMinute} description="per caller" error={messageFor(form.errors.fields, 'perMinute')}>
            <Input
              name="perMinute"
              type="number"
              min={1}
              inputMode="numeric"
              className="tabular-nums"
              value={form.values.perMinute}
              onChange={(e) => { form.set('perMinute', e.target.value); }}
            />
          </Field>
          <Field label={LABELS.reason} error={messageFor(form.errors.fields, 'reason')}>
            <Input name="reason" value={form.values.reason} onChange={(e) => { form.set('reason', e.target.value); }} />
          </Field>
        </div>
        <div>
          <Button type="submit" disabled={set.isPending}>
            <Gauge aria-hidden /> {set.isPending ? 'Saving…' : 'Set limit'}
          </Button>
        </div>
      </form>
    </CardContent>
  );
}

function RemoveTargetLimit({ target }: { target: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const remove = useMutation(trpc.controls.targetLimits.delete.mutationOptions({ onSettled: refresh }));
  return (
    <span className="inline-flex items-center gap-2">
      {remove.isError ? (
        <span role="alert" className="text-sm text-destructive">
          {describeQueryError(remove.error)}
        </span>
      ) : null}
      <Button variant="ghost" size="sm" aria-label={`Remove the limit on ${target}`} disabled={remove.isPending} onClick={() => { remove.mutate({ target }); }}>
        <Trash2 aria-hidden /> Remove
      </Button>
    </span>
  );
}
