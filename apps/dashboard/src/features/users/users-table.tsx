'use client';

import type { User } from '@bastion/api/users/schema';
import { ROLES, type Role } from '@bastion/api/scopes';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TriangleExclamationPoint, UserCheck, UserX } from 'lucide-react';
import { useState } from 'react';
import { EmptyState, QueryError, describeQueryError } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR, LoadingRows } from '@/components/ui/table';
import { useSession } from '@/features/auth/use-session';
import { cn } from '@/lib/cn';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';

function useUpdateUser() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.users.update.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }),
    }),
  );
}

/** Every user: change a role, disable or enable an account. */
export function UsersTable() {
  const trpc = useTRPC();
  const { principal } = useSession();
  const query = useQuery(trpc.users.list.queryOptions());
  const update = useUpdateUser();
  const items = query.data?.items ?? [];

  return (
    <Card aria-labelledby="users-title">
      <CardHeader>
        <div>
          <CardTitle id="users-title">Users</CardTitle>
          <CardDescription>
            A new role applies from the user’s next request. Disabling an account stops its sessions and API keys at once.
          </CardDescription>
        </div>
      </CardHeader>
      {update.isError ? (
        <div role="alert" className="mx-5 mb-4 flex gap-2 rounded-lg border border-destructive/50 bg-destructive/10 px-4 py-3 text-sm">
          <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
          <span>Not changed: {describeQueryError(update.error)}</span>
        </div>
      ) : null}
      {query.isError && !query.data ? (
        <div className="px-5 pb-5">
          <QueryError error={query.error} what="users" onRetry={() => void query.refetch()} />
        </div>
      ) : null}
      <Table aria-label="Users">
        <THead>
          <TR className="hover:bg-transparent">
            <TH>Email</TH>
            <TH>Name</TH>
            <TH>Role</TH>
            <TH>Status</TH>
            <TH>Created</TH>
            <TH>
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {query.isPending
            ? <LoadingRows rows={3} columns={6} className="h-8" />
            : items.map((user) => {
                const self = user.id === principal?.id;
                return (
                  <TR key={user.id} data-testid="user-row" data-email={user.email} data-disabled={user.disabled ? 'true' : 'false'}>
                    <TD className={cn('font-medium', user.disabled && 'text-muted-foreground line-through')}>
                      {user.email}
                      {self ? <span className="ml-2 text-xs font-normal text-muted-foreground">(you)</span> : null}
                    </TD>
                    <TD>{user.name || <span className="text-muted-foreground">—</span>}</TD>
                    <TD>
                      <NativeSelect
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        disabled={update.isPending}
                        className="h-8 w-32"
                        onChange={(e) => { update.mutate({ id: user.id, role: e.target.value as Role }); }}
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </NativeSelect>
                    </TD>
                    <TD>
                      <Badge
                        className={cn(
                          'border-transparent',
                          user.disabled ? 'bg-status-major/12 text-status-major-fg' : 'bg-status-operational/12 text-status-operational-fg',
                        )}
                      >
                        {user.disabled ? 'Disabled' : 'Active'}
                      </Badge>
                    </TD>
                    <TD className="whitespace-nowrap text-muted-foreground">{formatDateTime(user.createdAt)}</TD>
                    <TD className="text-right">
                      {user.disabled ? (
                        <Button variant="ghost" size="sm" disabled={update.isPending} onClick={() => { update.mutate({ id: user.id, disabled: false }); }}>
                          <UserCheck aria-hidden /> Enable
                        </Button>
                      ) : self ? null : (
                        <DisableUser user={user} />
                      )}
                    </TD>
                  </TR>
                );
              })}
        </TBody>
      </Table>
      {!query.isPending && items.length === 0 && !query.isError ? (
        <div className="p-5">
          <EmptyState title="No users" />
        </div>
      ) : null}
    </Card>
  );
}

function DisableUser({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const update = useUpdateUser();
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        update.reset();
      }}
    >
      <AlertDialog.Trigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Disable ${user.email}`}>
          <UserX aria-hidden /> Disable
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg">
          <AlertDialog.Title className="text-lg font-semibold">Disable {user.email}?</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">
            They are signed out everywhere and their API keys stop working at once. You can enable the account again later.
          </AlertDialog.Description>
          {update.isError ? (
            <p role="alert" className="rounded-md border border-destructive/50 bg-destructive/10 px-3 py-2 text-sm">
              {describeQueryError(update.error)}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Cancel</AlertDialog.Cancel>
            <Button
              variant="destructive"
              disabled={update.isPending}
              onClick={() => { update.mutate({ id: user.id, disabled: true }, { onSuccess: () => { setOpen(false); } }); }}
            >
              {update.isPending ? 'Disabling…' : 'Disable account'}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
