'use client';

import type { ApiKey } from '@bastion/api/api-keys/schema';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Ban } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { EmptyState, QueryError, describeQueryError } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, TD, TH, THead, TR, LoadingRows } from '@/components/ui/table';
import { useSession } from '@/features/auth/use-session';
import { useNow } from '@/hooks/use-now';
import { cn } from '@/lib/cn';
import { formatAgo, formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { type ApiKeyState, apiKeyState } from './api-key-state';

const STATE_LOOK: Record<ApiKeyState, { label: string; className: string }> = {
  active: { label: 'Active', className: 'bg-status-operational/12 text-status-operational-fg' },
  expired: { label: 'Expired', className: 'bg-status-unknown/15 text-status-unknown-fg' },
  revoked: { label: 'Revoked', className: 'bg-status-major/12 text-status-major-fg' },
};

/** The keys the caller can see (their own; every key for an admin), newest first, with revoke. */
export function ApiKeysTable() {
  const trpc = useTRPC();
  const { principal, can } = useSession();
  const query = useQuery(trpc.apiKeys.list.queryOptions());
  // Admins see everyone's keys: name the owners.
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: can(['users:manage']) });
  const owners = new Map(users.data?.items.map((u) => [u.id, u.email]));
  const now = useNow(30_000);
  const items = query.data?.items ?? [];
  // Arriving from the Traffic page's "Revoke key" link: that key's row is marked and scrolled to.
  const wanted = useSearchParams().get('key');
  const found = items.some((key) => key.id === wanted);
  useEffect(() => {
    if (found && wanted) document.getElementById(`api-key-${wanted}`)?.scrollIntoView({ block: 'center' });
  }, [found, wanted]);

  function ownerOf(key: ApiKey) {
    if (key.ownerId === principal?.id) return 'you';
    return owners.get(key.ownerId) ?? `${key.ownerId.slice(0, 8)}…`;
  }

  return (
    <Card aria-labelledby="keys-title">
      <CardHeader>
        <div>
          <CardTitle id="keys-title">Keys</CardTitle>
          <CardDescription>
            {can(['users:manage']) ? 'Every key in this Bastion, newest first.' : 'Your keys, newest first.'} Revoked keys stay
            listed for the record.
          </CardDescription>
        </div>
      </CardHeader>
      {query.isError && !query.data ? (
        <div className="px-5 pb-5">
          <QueryError error={query.error} what="API keys" onRetry={() => void query.refetch()} />
        </div>
      ) : null}
      <Table aria-label="API keys">
        <THead>
          <TR className="hover:bg-transparent">
            <TH>Name</TH>
            <TH>Prefix</TH>
            <TH>Scopes</TH>
            {can(['users:manage']) ? <TH>Owner</TH> : null}
            <TH>Created</TH>
            <TH>Expires</TH>
            <TH>Last used</TH>
            <TH>Status</TH>
            <TH>
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {query.isPending
            ? <LoadingRows rows={3} columns={9} className="h-8" />
            : items.map((key) => {
                const state = apiKeyState(key, now);
                return (
                  <TR
                    key={key.id}
                    id={`api-key-${key.id}`}
                    data-testid="api-key-row"
                    data-name={key.name}
                    data-state={state}
                    aria-current={key.id === wanted ? 'true' : undefined}
                    className={cn(state !== 'active' && 'text-muted-foreground', key.id === wanted && 'bg-accent')}
                  >
                    <TD className="font-medium text-foreground">{key.name}</TD>
                    <TD className="font-mono text-xs">{key.prefix}…</TD>
                    <TD>
                      <div className="flex max-w-72 flex-wrap gap-1">
                        {key.scopes.map((scope) => (
                          <Badge key={scope} className="bg-muted font-mono text-[0.7rem] font-normal">
                            {scope}
                          </Badge>
                        ))}
                      </div>
                    </TD>
                    {can(['users:manage']) ? <TD className="max-w-48 truncate text-xs">{ownerOf(key)}</TD> : null}
                    <TD className="whitespace-nowrap">{formatDateTime(key.createdAt)}</TD>
                    <TD className="whitespace-nowrap">{key.expiresAt ? formatDateTime(key.expiresAt) : 'never'}</TD>
                    <TD className="whitespace-nowrap">{key.lastUsedAt ? formatAgo(key.lastUsedAt, now) : 'never'}</TD>
                    <TD>
                      <Badge className={cn('border-transparent', STATE_LOOK[state].className)}>{STATE_LOOK[state].label}</Badge>
                    </TD>
                    <TD className="text-right">{state === 'revoked' ? null : <RevokeKey apiKey={key} />}</TD>
                  </TR>
                );
              })}
        </TBody>
      </Table>
      {!query.isPending && items.length === 0 && !query.isError ? (
        <div className="p-5">
          <EmptyState title="No API keys yet">Create one above for each machine that talks to the API.</EmptyState>
        </div>
      ) : null}
    </Card>
  );
}

function RevokeKey({ apiKey }: { apiKey: ApiKey }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const revoke = useMutation(
    trpc.apiKeys.delete.mutationOptions({
      onSuccess: () => { setOpen(false); },
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        revoke.reset();
      }}
    >
      <AlertDialog.Trigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Revoke ${apiKey.name}`}>
          <Ban aria-hidden /> Revoke
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg">
          <AlertDialog.Title className="text-lg font-semibold">Revoke “{apiKey.name}”?</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">
            Anything using the key <code className="font-mono">{apiKey.prefix}…</code> is refused from its next request. This cannot
            be undone; create a new key to restore access.
          </AlertDialog.Description>
          {revoke.isError ? (
            <p role="alert" className="rounded-md border border-destructive/50 bg-destructive/10 px-3 py-2 text-sm">
              {describeQueryError(revoke.error)}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Keep it</AlertDialog.Cancel>
            <Button variant="destructive" disabled={revoke.isPending} onClick={() => { revoke.mutate({ id: apiKey.id }); }}>
              {revoke.isPending ? 'Revoking…' : 'Revoke key'}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
