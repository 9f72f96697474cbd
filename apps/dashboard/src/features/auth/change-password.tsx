'use client';

import { changePasswordInput } from '@bastion/api/auth/schema';
import { useMutation } from '@tanstack/react-query';
import { KeyRound } from 'lucide-react';
import { type SubmitEvent, useState } from 'react';
import { z } from 'zod';
import { FormErrorSummary } from '@/components/form-error-summary';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { messageFor } from '@/lib/form-errors';
import { useTRPC } from '@/lib/trpc';

interface Values extends Record<string, unknown> {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

const INITIAL: Values = { currentPassword: '', newPassword: '', confirmPassword: '' };
const LABELS = { currentPassword: 'Current password', newPassword: 'New password', confirmPassword: 'Confirm new password' };

/** The server's own schema, plus the one thing only a form needs: typing the new password twice. */
const formSchema = changePasswordInput
  .safeExtend({ confirmPassword: z.string() })
  .refine((v) => v.confirmPassword === v.newPassword, { path: ['confirmPassword'], message: 'Does not match the new password.' });

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** Current password, new password twice; on success says what was signed out. */
export function ChangePassword() {
  const trpc = useTRPC();
  const form = useSchemaForm(INITIAL, {
    schema: formSchema,
    toInput: (values) => values,
    fields: ['currentPassword', 'newPassword', 'confirmPassword'],
  });
  const [done, setDone] = useState<string | null>(null);
  const change = useMutation(trpc.auth.changePassword.mutationOptions());

  function submit(event: SubmitEvent) {
    event.preventDefault();
    setDone(null);
    const checked = form.check();
    if (!checked) return;
    const { currentPassword, newPassword } = checked;
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: (result) => {
          form.reset();
          const elsewhere = result.endedSessions + result.revokedTokenFamilies;
          setDone(
            elsewhere === 0
              ? 'Password changed. You were not signed in anywhere else.'
              : `Password changed. Signed out ${plural(result.endedSessions, 'other session', 'other sessions')} and ${plural(result.revokedTokenFamilies, 'API client', 'API clients')}; this one stays signed in.`,
          );
        },
        onError: form.fail,
      },
    );
  }

  return (
    <Card aria-labelledby="change-password-title">
      <CardHeader>
        <div>
          <CardTitle id="change-password-title">Change password</CardTitle>
          <CardDescription>Everywhere else you are signed in — other browsers, API clients with a refresh token — is signed out.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <form id={form.formId} noValidate onSubmit={submit} aria-label="Change password" className="grid max-w-md gap-4">
          <FormErrorSummary errors={form.errors} labels={LABELS} />
          <Field label={LABELS.currentPassword} error={messageFor(form.errors.fields, 'currentPassword')}>
            <Input
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              value={form.values.currentPassword}
              onChange={(e) => { form.set('currentPassword', e.target.value); }}
            />
          </Field>
          <Field label={LABELS.newPassword} description="At least 12 characters; a long passphrase is best." error={messageFor(form.errors.fields, 'newPassword')}>
            <Input
              name="newPassword"
              type="password"
              autoComplete="new-password"
              value={form.values.newPassword}
              onChange={(e) => { form.set('newPassword', e.target.value); }}
            />
          </Field>
          <Field label={LABELS.confirmPassword} error={messageFor(form.errors.fields, 'confirmPassword')}>
            <Input
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              value={form.values.confirmPassword}
              onChange={(e) => { form.set('confirmPassword', e.target.value); }}
            />
          </Field>
          <div>
            <Button type="submit" disabled={change.isPending}>
              <KeyRound aria-hidden /> {change.isPending ? 'Changing…' : 'Change password'}
            </Button>
          </div>
          {done ? (
            <p role="status" data-testid="password-changed" className="text-sm text-status-operational-fg">
              {done}
            </p>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}
