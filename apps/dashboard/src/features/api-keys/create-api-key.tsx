'use client';

import { createApiKeyInput } from '@bastion/api/api-keys/schema';
import { SCOPES, type Scope } from '@bastion/api/scopes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { KeyRound } from 'lucide-react';
import { type SubmitEvent, useState } from 'react';
import { FormErrorSummary } from '@/components/form-error-summary';
import { SecretOnceDialog } from '@/components/secret-once-dialog';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { useSession } from '@/features/auth/use-session';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { grantableScopes } from '@/lib/access';
import { cn } from '@/lib/cn';
import { messageFor } from '@/lib/form-errors';
import { useTRPC } from '@/lib/trpc';
import { EXPIRY_CHOICES, type ExpiryChoice, expiresAtFor } from './api-key-state';

interface Values extends Record<string, unknown> {
  name: string;
  scopes: Scope[];
  expiry: ExpiryChoice;
  expiresOn: string;
}

const INITIAL: Values = { name: '', scopes: [], expiry: '90d', expiresOn: '' };
const LABELS = { name: 'Name', scopes: 'Scopes', expiresAt: 'Expires' };

function toInput(values: Values) {
  const expiresAt = expiresAtFor(values.expiry, values.expiresOn, Date.now());
  return { name: values.name, scopes: values.scopes, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** Name, scopes (at most your own), expiry → the new key's secret, shown once. */
export function CreateApiKey() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { principal } = useSession();
  const grantable = grantableScopes(principal);
  const form = useSchemaForm(INITIAL, { schema: createApiKeyInput, toInput, fields: ['name', 'scopes', 'expiresAt'] });
  const [created, setCreated] = useState<{ name: string; secret: string; id: string } | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    create.mutate(input, {
      onSuccess: (key) => {
        setCreated({ name: key.name, secret: key.secret, id: key.id });
        form.reset();
      },
      onError: form.fail,
    });
  }

  function toggleScope(scope: Scope, on: boolean) {
    form.set('scopes', on ? [...form.values.scopes, scope] : form.values.scopes.filter((s) => s !== scope));
  }

  const scopesError = messageFor(form.errors.fields, 'scopes');
  return (
    <Card aria-labelledby="create-key-title">
      <CardHeader>
        <div>
          <CardTitle id="create-key-title">Create an API key</CardTitle>
          <CardDescription>For a monitor, a script or CI. A key can do at most what you can.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <form id={form.formId} noValidate onSubmit={submit} aria-label="Create an API key" className="grid gap-4">
          <FormErrorSummary errors={form.errors} labels={LABELS} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Name" description="What the key is for, e.g. “blackbox-exporter”." error={messageFor(form.errors.fields, 'name')}>
              <Input name="name" value={form.values.name} onChange={(e) => { form.set('name', e.target.value); }} />
            </Field>
            <div className="grid content-start gap-4 sm:grid-cols-2">
              <Field label="Expires" error={form.values.expiry === 'custom' ? undefined : messageFor(form.errors.fields, 'expiresAt')}>
                <NativeSelect
                  name="expiry"
                  value={form.values.expiry}
                  onChange={(e) => { form.set('expiry', e.target.value as ExpiryChoice); }}
                >
                  {EXPIRY_CHOICES.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
              {form.values.expiry === 'custom' ? (
                <Field label="Expiry date" error={messageFor(form.errors.fields, 'expiresAt') ? 'Pick a date in the future.' : undefined}>
                  <Input name="expiresOn" type="date" value={form.values.expiresOn} onChange={(e) => { form.set('expiresOn', e.target.value); }} />
                </Field>
              ) : null}
            </div>
          </div>
          <fieldset aria-describedby={scopesError ? 'key-scopes-error' : undefined}>
            <legend className="text-sm font-medium">Scopes</legend>
            <p className="mb-2 text-xs text-muted-foreground">Grant only what the key needs. Your role limits the choice.</p>
            <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
              {grantable.map((scope) => {
                const checked = form.values.scopes.includes(scope);
                return (
                  <label
                    key={scope}
                    className={cn(
                      'flex cursor-pointer gap-2.5 rounded-md border px-3 py-2 text-sm hover:bg-muted',
                      checked && 'border-primary/60 bg-accent/60',
                    )}
                  >
                    <input
                      type="checkbox"
                      name="scopes"
                      value={scope}
                      checked={checked}
                      onChange={(e) => { toggleScope(scope, e.target.checked); }}
                      className="mt-0.5 size-4 accent-primary"
                    />
                    <span>
                      <span className="block font-mono text-xs font-medium">{scope}</span>
                      <span className="block text-xs text-muted-foreground">{SCOPES[scope]}</span>
                    </span>
                  </label>
                );
              })}
            </div>
            {scopesError ? (
              <p id="key-scopes-error" className="mt-1.5 text-sm font-medium text-destructive" data-field-error>
                {scopesError}
              </p>
            ) : null}
          </fieldset>
          <div>
            <Button type="submit" disabled={create.isPending}>
              <KeyRound aria-hidden /> {create.isPending ? 'Creating…' : 'Create key'}
            </Button>
          </div>
        </form>
      </CardContent>
      <SecretOnceDialog
        open={created !== null}
        onClose={() => { setCreated(null); }}
        title={`API key “${created?.name ?? ''}” created`}
        what="API key"
        secret={created?.secret ?? ''}
      >
        Send it in the <code className="font-mono">X-API-Key</code> header, or paste it into Authorize at{' '}
        <a href="/docs" className="text-primary underline">/docs</a>.
      </SecretOnceDialog>
    </Card>
  );
}
