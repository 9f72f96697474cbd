'use client';

import { rateLimitsInput, type RateLimitsOutput } from '@bastion/api/controls/schema';
import { useMutation } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';
import { Age } from '@/components/age';
import { FormErrorSummary } from '@/components/form-error-summary';
import { describeQueryError } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Can } from '@/features/auth/access-gates';
import { useSession } from '@/features/auth/use-session';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { useTRPC } from '@/lib/trpc';
import { actorLabel, formatLimit } from './controls-model';
import { useRefreshControls } from './use-controls';

const AUDIENCES = [
  { key: 'anonymous', label: 'Anonymous', hint: 'per client address' },
  { key: 'principal', label: 'Signed in', hint: 'per user or API key' },
] as const;
const CLASSES = [
  { key: 'read', label: 'Read' },
  { key: 'write', label: 'Write' },
  { key: 'auth', label: 'Sign-in' },
] as const;

type Audience = (typeof AUDIENCES)[number]['key'];
type CallClass = (typeof CLASSES)[number]['key'];
type Values = Record<Audience, Record<CallClass, string>> & Record<string, unknown>;

function toValues(limits: Pick<RateLimitsOutput, Audience>): Values {
  const row = (a: Audience) => ({ read: String(limits[a].read), write: String(limits[a].write), auth: String(limits[a].auth) });
  return { anonymous: row('anonymous'), principal: row('principal') };
}

// An empty box is not 0 (unlimited): leave it empty so the schema says "expected a number".
const num = (value: string) => (value.trim() === '' ? undefined : Number(value));

function toInput(values: Values) {
  const row = (a: Audience) => ({ read: num(values[a].read), write: num(values[a].write), auth: num(values[a].auth) });
  return { anonymous: row('anonymous'), principal: row('principal') };
}

/** The rate limits in force and, for writers, a form to change them or go back to the defaults. */
export function RateLimits({ limits }: { limits: RateLimitsOutput }) {
  const { can } = useSession();
  return (
    <Card aria-labelledby="limits-title">
      <CardHeader>
        <div>
          <CardTitle id="limits-title" className="flex items-center gap-2">
            Rate limits <Badge className="font-normal text-muted-foreground">{limits.source === 'defaults' ? 'defaults' : 'changed'}</Badge>
          </CardTitle>
          <CardDescription>
            Requests per {limits.windowSeconds === 60 ? 'minute' : `${String(limits.windowSeconds)} s`} per caller.{' '}
            <strong className="font-medium text-foreground">0 means unlimited.</strong>
            {limits.changedBy && limits.changedAt ? (
              <>
                {' '}
                Last changed by {actorLabel(limits.changedBy)}, <Age since={limits.changedAt} suffix=" ago" />.
              </>
            ) : null}
          </CardDescription>
        </div>
      </CardHeader>
      {can(['controls:write']) ? (
        // Re-seeded whenever the server's table changes (another operator, a reset).
        <RateLimitsForm key={`${limits.changedAt ?? 'defaults'}:${limits.source}`} limits={limits} />
      ) : (
        <CardContent>
          <LimitsTable limits={limits} />
        </CardContent>
      )}
    </Card>
  );
}

function LimitsTable({ limits }: { limits: RateLimitsOutput }) {
  return (
    <Table aria-label="Rate limits">
      <THead>
        <TR className="hover:bg-transparent">
          <TH>Caller</TH>
          {CLASSES.map((c) => (
            <TH key={c.key} className="text-right">
              {c.label}
            </TH>
          ))}
        </TR>
      </THead>
      <TBody>
        {AUDIENCES.map((a) => (
          <TR key={a.key}>
            <TD>
              {a.label} <span className="text-xs text-muted-foreground">({a.hint})</span>
            </TD>
            {CLASSES.map((c) => (
              <TD key={c.key} className="text-right tabular-nums">
                {formatLimit(limits[a.key][c.key])}
                {limits[a.key][c.key] !== limits.defaults[a.key][c.key] ? (
                  <span className="block text-xs text-muted-foreground">default {formatLimit(limits.defaults[a.key][c.key])}</span>
                ) : null}
              </TD>
            ))}
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

function RateLimitsForm({ limits }: { limits: RateLimitsOutput }) {
  const trpc = useTRPC();
  const refresh = useRefreshControls();
  const set = useMutation(trpc.controls.rateLimits.set.mutationOptions({ onSettled: refresh }));
  const reset = useMutation(trpc.controls.rateLimits.reset.mutationOptions({ onSettled: refresh }));
  const [saved, setSaved] = useState(false);
  const form = useSchemaForm(toValues(limits), { schema: rateLimitsInput, toInput, fields: ['anonymous', 'principal'] });

  function submit(event: SubmitEvent) {
    event.preventDefault();
    setSaved(false);
    const input = form.check();
    if (!input) return;
    set.mutate(input, { onSuccess: () => { setSaved(true); }, onError: form.fail });
  }

  function setCell(a: Audience, c: CallClass, value: string) {
    form.set(a, { ...form.values[a], [c]: value });
  }

  const cellError = (a: Audience, c: CallClass) => form.errors.fields.find((e) => e.pointer === `/${a}/${c}`)?.detail;
  const labels = { anonymous: 'Anonymous', principal: 'Signed in' };
  return (
    <CardContent>
      <form id={form.formId} noValidate onSubmit={submit} aria-label="Rate limits" className="grid gap-4">
        <FormErrorSummary errors={form.errors} labels={labels} />
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-muted-foreground">
                <th className="pb-2 font-medium">Caller</th>
                {CLASSES.map((c) => (
                  <th key={c.key} className="pb-2 pl-3 font-medium">
                    {c.label} / min
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {AUDIENCES.map((a) => (
                <tr key={a.key}>
                  <th scope="row" className="py-1.5 pr-3 text-left font-medium">
                    {a.label} <span className="block text-xs font-normal text-muted-foreground">{a.hint}</span>
                  </th>
                  {CLASSES.map((c) => {
                    const error = cellError(a.key, c.key);
                    return (
                      <td key={c.key} className="py-1.5 pl-3 align-top">
                        <Input
                          type="number"
                          min={0}
                          inputMode="numeric"
                          name={`${a.key}.${c.key}`}
                          aria-label={`${a.label}, ${c.label}, per minute (0 = unlimited)`}
                          aria-invalid={error ? true : undefined}
                          value={form.values[a.key][c.key]}
                          onChange={(e) => { setCell(a.key, c.key, e.target.value); }}
                          className="w-32 tabular-nums"
                        />
                        <span className="mt-1 block text-xs text-muted-foreground">
                          {form.values[a.key][c.key] === '0' ? 'unlimited · ' : ''}default {formatLimit(limits.defaults[a.key][c.key])}
                        </span>
                        {error ? (
                          <span className="mt-1 block text-sm font-medium text-destructive" data-field-error>
                            {error}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" disabled={set.isPending}>
            {set.isPending ? 'Saving…' : 'Save limits'}
          </Button>
          <Can scopes={['controls:write']}>
            <Button
              type="button"
              variant="outline"
              disabled={reset.isPending || limits.source === 'defaults'}
              onClick={() => { reset.mutate(); }}
            >
              Reset to defaults
            </Button>
          </Can>
          <span role="status" className="text-sm text-muted-foreground">
            {saved ? 'Saved; in force on every instance within 2 s.' : ''}
            {reset.isError ? `Not reset: ${describeQueryError(reset.error)}` : ''}
          </span>
        </div>
      </form>
    </CardContent>
  );
}
