'use client';

import { createUserInput } from '@bastion/api/users/schema';
import { ROLES, type Role } from '@bastion/api/scopes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { UserPlus } from 'lucide-react';
import { type SubmitEvent, useState } from 'react';
import { FormErrorSummary } from '@/components/form-error-summary';
import { SecretOnceDialog } from '@/components/secret-once-dialog';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { messageFor } from '@/lib/form-errors';
import { useTRPC } from '@/lib/trpc';
import { ROLE_DESCRIPTION } from './roles';

interface Values extends Record<string, unknown> {
  email: string;
  name: string;
  role: Role;
  password: string;
}

const INITIAL: Values = { email: '', name: '', role: 'viewer', password: '' };
const LABELS = { email: 'Email', name: 'Name', role: 'Role', password: 'Initial password' };

function toInput({ password, ...rest }: Values) {
  return password ? { ...rest, password } : rest;
}

/** Email, name, role and an optional password (generated and shown once when left empty). */
export function InviteUser() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useSchemaForm(INITIAL, {
    schema: createUserInput,
    toInput,
    fields: ['email', 'name', 'role', 'password'],
    conflictPointer: '/email',
  });
  const [invited, setInvited] = useState<{ email: string; password: string | null } | null>(null);
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }),
    }),
  );

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    create.mutate(input, {
      onSuccess: (user) => {
        setInvited({ email: user.email, password: user.temporaryPassword });
        form.reset();
      },
      onError: form.fail,
    });
  }

  return (
    <Card aria-labelledby="invite-title">
      <CardHeader>
        <div>
          <CardTitle id="invite-title">Invite a user</CardTitle>
          <CardDescription>They sign in with this email and the initial password; share it with them privately.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <form id={form.formId} noValidate onSubmit={submit} aria-label="Invite a user" className="grid gap-4">
          <FormErrorSummary errors={form.errors} labels={LABELS} />
          <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
            <Field label="Email" error={messageFor(form.errors.fields, 'email')}>
              <Input name="email" type="email" autoComplete="off" value={form.values.email} onChange={(e) => { form.set('email', e.target.value); }} />
            </Field>
            <Field label="Name" error={messageFor(form.errors.fields, 'name')}>
              <Input name="name" autoComplete="off" value={form.values.name} onChange={(e) => { form.set('name', e.target.value); }} />
            </Field>
            <Field label="Role" description={ROLE_DESCRIPTION[form.values.role]} error={messageFor(form.errors.fields, 'role')}>
              <NativeSelect name="role" value={form.values.role} onChange={(e) => { form.set('role', e.target.value as Role); }}>
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {role}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label="Initial password" description="Leave empty to generate one." error={messageFor(form.errors.fields, 'password')}>
              <Input
                name="password"
                type="password"
                autoComplete="new-password"
                value={form.values.password}
                onChange={(e) => { form.set('password', e.target.value); }}
              />
            </Field>
          </div>
          <div>
            <Button type="submit" disabled={create.isPending}>
              <UserPlus aria-hidden /> {create.isPending ? 'Inviting…' : 'Invite user'}
            </Button>
          </div>
          {invited && !invited.password ? (
            <p role="status" className="text-sm text-status-operational-fg">
              Invited {invited.email} with the password you chose.
            </p>
          ) : null}
        </form>
      </CardContent>
      <SecretOnceDialog
        open={invited?.password != null}
        onClose={() => { setInvited(null); }}
        title={`Invited ${invited?.email ?? ''}`}
        what="temporary password"
        secret={invited?.password ?? ''}
      >
        Give it to {invited?.email} privately; they sign in with it at /login.
      </SecretOnceDialog>
    </Card>
  );
}
