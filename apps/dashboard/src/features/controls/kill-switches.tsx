'use client';

import type { ControlsOutput, SwitchOutput } from '@bastion/api/controls/schema';
import { useMutation } from '@tanstack/react-query';
import { ChevronDown, ChevronRight, TriangleExclamationPoint } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Age } from '@/components/age';
import { describeQueryError } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Can } from '@/features/auth/access-gates';
import { cn } from '@/lib/cn';
import { useTRPC } from '@/lib/trpc';
import { actorLabel, groupTargets, switchesByTarget, TARGET_STATES, type TargetState } from './controls-model';
import { StateBadge } from './state-badge';
import { SwitchDialog } from './switch-dialog';
import { useRefreshControls } from './use-controls';

type Pending = { target: string; state: 'off' | 'read-only'; current: SwitchOutput | undefined } | null;

/** Turns a target to `state`: on removes its switch at once, off and read-only ask first. */
function useChangeState(setPending: (p: Pending) => void) {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const remove = useMutation(trpc.controls.switches.delete.mutationOptions({ onSettled: refresh }));
  const change = (target: string, state: TargetState, current: SwitchOutput | undefined) => {
    if (state === 'on') remove.mutate({ target });
    else setPending({ target, state, current });
  };
  return { remove, change };
}

/** The whole-API read-only switch, at the top because it is the broadest lever. */
export function WholeApiSwitch({ controls }: { controls: ControlsOutput }) {
  const [pending, setPending] = useState<Pending>(null);
  const { remove, change } = useChangeState(setPending);
  const current = controls.switches.find((s) => s.target === '*');
  return (
    <Card aria-labelledby="whole-api-title" data-testid="whole-api" data-state={current ? current.state : 'on'}>
      <CardHeader className="flex-wrap">
        <div>
          <CardTitle id="whole-api-title" className="flex items-center gap-2">
            Whole API <StateBadge state={current ? current.state : 'on'} />
          </CardTitle>
          <CardDescription>
            {current ? (
              <>
                Read-only since <Age since={current.changedAt} suffix=" ago" />, by {actorLabel(current.changedBy)}
                {current.reason ? <> — “{current.reason}”</> : null}. Queries work; every change answers 503.
              </>
            ) : (
              'Read-only mode keeps every query working and refuses every change with 503. Sign-in and the controls stay open.'
            )}
          </CardDescription>
        </div>
        <Can scopes={['controls:write']}>
          {current ? (
            <Button variant="outline" disabled={remove.isPending} onClick={() => { change('*', 'on', current); }}>
              Lift read-only
            </Button>
          ) : (
            <Button variant="outline" onClick={() => { change('*', 'read-only', current); }}>
              Make the whole API read-only
            </Button>
          )}
        </Can>
      </CardHeader>
      <ChangeFailed error={remove.error} />
      {pending ? <SwitchDialogFor pending={pending} onClose={() => { setPending(null); }} /> : null}
    </Card>
  );
}

/** One row per switchable module, its procedures folded under it. */
export function KillSwitches({ controls }: { controls: ControlsOutput }) {
  const [pending, setPending] = useState<Pending>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const { remove, change } = useChangeState(setPending);
  const switches = switchesByTarget(controls.switches);
  const groups = groupTargets(controls.targets);

  function toggle(module: string) {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(module)) next.delete(module);
      else next.add(module);
      return next;
    });
  }

  function row(target: string, depth: number, expander: ReactNode) {
    const current = switches.get(target);
    const state: TargetState = current ? current.state : 'on';
    return (
      <TR key={target} data-testid="switch-row" data-target={target} data-state={state} className={cn(state !== 'on' && 'bg-muted/40')}>
        <TD className="font-mono text-xs">
          <span className="flex items-center gap-1" style={{ paddingLeft: `${String(depth * 1.25)}rem` }}>
            {expander}
            {target}
          </span>
        </TD>
        <TD>
          <StateBadge state={state} />
        </TD>
        <TD className="max-w-64 truncate text-muted-foreground" title={current?.reason ?? undefined}>
          {current?.reason ?? '—'}
        </TD>
        <TD className="text-right tabular-nums text-muted-foreground">{current ? `${String(current.retryAfterSeconds)} s` : '—'}</TD>
        <TD className="whitespace-nowrap text-muted-foreground">
          {current ? (
            <>
              {actorLabel(current.changedBy)}, <Age since={current.changedAt} suffix=" ago" />
            </>
          ) : (
            '—'
          )}
        </TD>
        <Can scopes={['controls:write']}>
          <TD className="text-right">
            <NativeSelect
              aria-label={`State of ${target}`}
              value={state}
              disabled={remove.isPending}
              className="h-8 w-32"
              onChange={(e) => { change(target, e.target.value as TargetState, current); }}
            >
              {TARGET_STATES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </NativeSelect>
          </TD>
        </Can>
      </TR>
    );
  }

  return (
    <Card aria-labelledby="switches-title">
      <CardHeader>
        <div>
          <CardTitle id="switches-title">Kill switches</CardTitle>
          <CardDescription>
            Off: every call answers 503 <code className="font-mono">module-disabled</code>. Read-only: queries work, changes answer 503. A switch
            reaches every instance within 2 s. Always on: {controls.alwaysOn.join(', ')}.
          </CardDescription>
        </div>
      </CardHeader>
      <ChangeFailed error={remove.error} />
      <Table aria-label="Kill switches">
        <THead>
          <TR className="hover:bg-transparent">
            <TH>Module or procedure</TH>
            <TH>State</TH>
            <TH>Reason</TH>
            <TH className="text-right">Retry-After</TH>
            <TH>Changed</TH>
            <Can scopes={['controls:write']}>
              <TH className="text-right">Set to</TH>
            </Can>
          </TR>
        </THead>
        <TBody>
          {groups.flatMap(({ module, children }) => {
            // A procedure with its own switch stays visible even when its module is folded.
            const open = expanded.has(module);
            const shown = open ? children : children.filter((c) => switches.has(c));
            const expander =
              children.length > 0 ? (
                <button
                  type="button"
                  aria-expanded={open}
                  aria-label={`${open ? 'Hide' : 'Show'} the ${String(children.length)} procedures of ${module}`}
                  className="rounded p-0.5 hover:bg-muted"
                  onClick={() => { toggle(module); }}
                >
                  {open ? <ChevronDown aria-hidden className="size-4" /> : <ChevronRight aria-hidden className="size-4" />}
                </button>
              ) : (
                <span className="inline-block size-5" />
              );
            return [row(module, 0, expander), ...shown.map((child) => row(child, child.split('.').length - 1, <span className="inline-block size-5" />))];
          })}
        </TBody>
      </Table>
      {pending ? <SwitchDialogFor pending={pending} onClose={() => { setPending(null); }} /> : null}
    </Card>
  );
}

function SwitchDialogFor({ pending, onClose }: { pending: NonNullable<Pending>; onClose: () => void }) {
  return (
    <SwitchDialog
      target={pending.target}
      state={pending.state}
      initial={{ reason: pending.current?.reason ?? '', retryAfterSeconds: pending.current?.retryAfterSeconds ?? 120 }}
      onClose={onClose}
    />
  );
}

function ChangeFailed({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div role="alert" className="mx-5 mb-4 flex gap-2 rounded-lg border border-destructive/50 bg-destructive/10 px-4 py-3 text-sm">
      <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
      <span>Not changed: {describeQueryError(error)}</span>
    </div>
  );
}
