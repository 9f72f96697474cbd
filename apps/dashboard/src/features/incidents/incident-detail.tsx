'use client';

import {
  createIncidentUpdateInput,
  type Incident,
  type IncidentSummary,
  type IncidentUpdate,
} from '@bastion/api/incidents/schema';
import { useIsMutating, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleCheck } from 'lucide-react';
import Link from 'next/link';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { type SubmitEvent, useState } from 'react';
import { Age } from '@/components/age';
import { FormErrorSummary } from '@/components/form-error-summary';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { IncidentStatusBadge, SeverityBadge, StatusDot } from '@/components/status-badges';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { NativeSelect, Textarea } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { useFleet } from '@/hooks/use-fleet';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { cn } from '@/lib/cn';
import { isNotFound } from '@/lib/errors';
import { messageFor } from '@/lib/form-errors';
import { POLL_INTERVAL_MS } from '@/lib/query-client';
import { INCIDENT_STATUS_LABEL, STATUS_LOOK } from '@/lib/status';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { Can } from '@/features/auth/access-gates';

type IncidentStatus = IncidentSummary['status'];
const STATUSES = Object.keys(INCIDENT_STATUS_LABEL) as IncidentStatus[];
const UPDATE_LABELS = { id: 'Incident', status: 'New status', message: 'Update' };
const OPTIMISTIC_PREFIX = 'optimistic-';

/**
 * The incident as it would look once `update` is on its timeline: what the screen shows while
 * the server confirms (an optimistic update; rolled back if the server refuses).
 */
export function withUpdate(incident: Incident, update: { status: IncidentStatus; message: string }, at: Date): Incident {
  const createdAt = at.toISOString();
  return {
    ...incident,
    status: update.status,
    updatedAt: createdAt,
    resolvedAt: update.status === 'resolved' ? createdAt : null,
    updates: [
      ...incident.updates,
      { id: `${OPTIMISTIC_PREFIX}${at.getTime()}`, incidentId: incident.id, status: update.status, message: update.message, createdAt },
    ],
  };
}

function usePostUpdate(id: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.incidents.get.queryKey({ id });
  return useMutation(
    trpc.incidents.updates.create.mutationOptions({
      onMutate: async (input) => {
        await queryClient.cancelQueries({ queryKey: key });
        const previous = queryClient.getQueryData(key);
        if (previous) queryClient.setQueryData(key, withUpdate(previous, input, new Date()));
        return { previous };
      },
      onError: (_error, _input, context) => {
        if (context?.previous) queryClient.setQueryData(key, context.previous);
      },
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.status.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
        ]),
    }),
  );
}

export function IncidentDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  // Hold polling while an update is in flight, so a poll cannot briefly undo the optimistic entry.
  const posting = useIsMutating({ mutationKey: trpc.incidents.updates.create.mutationKey() }) > 0;
  const query = useQuery({ ...trpc.incidents.get.queryOptions({ id }), refetchInterval: posting ? false : POLL_INTERVAL_MS });

  if (query.isPending) {
    return (
      <div className="space-y-6" aria-busy="true" aria-label="Loading the incident">
        <Skeleton className="h-12 w-96" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (query.isError && !query.data) {
    if (isNotFound(query.error) || (query.error.data as { code?: string } | undefined)?.code === 'BAD_REQUEST') {
      return (
        <EmptyState
          title="No such incident"
          action={
            <Button asChild>
              <Link href="/incidents">All incidents</Link>
            </Button>
          }
        />
      );
    }
    return <QueryError error={query.error} what="the incident" onRetry={() => void query.refetch()} />;
  }
  return <IncidentView incident={query.data} />;
}

function IncidentView({ incident }: { incident: Incident }) {
  const resolved = incident.status === 'resolved';
  const timeline = incident.updates.slice().reverse();
  return (
    <div className="space-y-6" data-testid="incident-detail" data-status={incident.status}>
      <PageHeader
        title={incident.title}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
            <span>Declared {formatDateTime(incident.createdAt)}</span>
            <span>·</span>
            {incident.resolvedAt ? (
              <span>
                resolved after <Age since={incident.createdAt} until={incident.resolvedAt} />
              </span>
            ) : (
              <span>
                open for <Age since={incident.createdAt} />
              </span>
            )}
          </span>
        }
        actions={
          resolved ? null : (
            <Can scopes={['incidents:write']}>
              <ResolveDialog incident={incident} />
            </Can>
          )
        }
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {resolved ? (
            <div className="flex items-center gap-2 rounded-lg border border-status-operational/50 bg-status-operational/10 px-4 py-3 text-sm" role="status">
              <CircleCheck aria-hidden className="size-4 text-status-operational-fg" />
              Resolved. To report a new problem, declare a new incident.
            </div>
          ) : (
            <Can scopes={['incidents:write']}>
              <PostUpdate incident={incident} />
            </Can>
          )}
          <Card aria-labelledby="timeline-title">
            <CardHeader>
              <CardTitle id="timeline-title">Timeline</CardTitle>
              <CardDescription>Newest first.</CardDescription>
            </CardHeader>
            <CardContent>
              <ol className="relative space-y-5 border-l pl-5" data-testid="timeline">
                {timeline.map((update) => (
                  <TimelineEntry key={update.id} update={update} />
                ))}
              </ol>
            </CardContent>
          </Card>
        </div>
        <AffectedServices slugs={incident.serviceSlugs} />
      </div>
    </div>
  );
}

function TimelineEntry({ update }: { update: IncidentUpdate }) {
  const pending = update.id.startsWith(OPTIMISTIC_PREFIX);
  return (
    <li className={cn('relative', pending && 'opacity-70')} data-testid="timeline-entry" aria-busy={pending || undefined}>
      <span
        aria-hidden
        className={cn(
          'absolute -left-[1.6rem] top-1 size-3 rounded-full border-2 border-card',
          update.status === 'resolved' ? 'bg-status-operational' : 'bg-primary',
        )}
      />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <IncidentStatusBadge status={update.status} />
        <time dateTime={update.createdAt} className="text-muted-foreground">
          {formatDateTime(update.createdAt)}
        </time>
        {pending ? <span className="text-xs text-muted-foreground">Sending…</span> : null}
      </div>
      <p className="mt-1.5 whitespace-pre-wrap text-sm">{update.message}</p>
    </li>
  );
}

/** The status an update most likely moves to: the next step of the usual response. */
function nextStatus(current: IncidentStatus): IncidentStatus {
  const order: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];
  return order[Math.min(order.indexOf(current) + 1, order.length - 2)] ?? 'monitoring';
}

function PostUpdate({ incident }: { incident: Incident }) {
  const post = usePostUpdate(incident.id);
  const form = useSchemaForm(
    { id: incident.id, status: nextStatus(incident.status), message: '' },
    { schema: createIncidentUpdateInput, toInput: (v) => v, fields: ['id', 'status', 'message'] },
  );
  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    post.mutate(input, {
      onSuccess: (update) => { form.reset({ id: incident.id, status: nextStatus(update.status), message: '' }); },
      onError: form.fail,
    });
  }
  return (
    <Card aria-labelledby="post-title">
      <CardHeader>
        <div>
          <CardTitle id="post-title">Post an update</CardTitle>
          <CardDescription>Tell everyone where the response stands.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <form id={form.formId} noValidate onSubmit={submit} className="grid gap-4" aria-label="Post an update">
          <FormErrorSummary errors={form.errors} labels={UPDATE_LABELS} />
          <div className="grid gap-4 sm:grid-cols-[12rem_1fr]">
            <Field label="New status" error={messageFor(form.errors.fields, 'status')}>
              <NativeSelect name="status" value={form.values.status} onChange={(e) => { form.set('status', e.target.value as IncidentStatus); }}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {INCIDENT_STATUS_LABEL[s]}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label="Update" error={messageFor(form.errors.fields, 'message')}>
              <Textarea
                name="message"
                rows={3}
                placeholder="What changed, what is next."
                value={form.values.message}
                onChange={(e) => { form.set('message', e.target.value); }}
              />
            </Field>
          </div>
          <div>
            <Button type="submit" disabled={post.isPending}>
              {post.isPending ? 'Posting…' : 'Post update'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function ResolveDialog({ incident }: { incident: Incident }) {
  const [open, setOpen] = useState(false);
  const post = usePostUpdate(incident.id);
  const initial = { id: incident.id, status: 'resolved' as IncidentStatus, message: 'Resolved: the affected services have recovered.' };
  const form = useSchemaForm(initial, { schema: createIncidentUpdateInput, toInput: (v) => v, fields: ['id', 'status', 'message'] });
  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    setOpen(false);
    post.mutate(input, {
      onError: (error) => {
        setOpen(true);
        form.fail(error);
      },
    });
  }
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) form.reset(initial);
      }}
    >
      <AlertDialog.Trigger asChild>
        <Button className="bg-status-operational-fg text-card hover:bg-status-operational-fg/90">
          <CircleCheck aria-hidden /> Resolve incident
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg border bg-card p-6 shadow-lg">
          <form id={form.formId} noValidate onSubmit={submit} className="grid gap-4">
            <AlertDialog.Title className="text-lg font-semibold">Resolve “{incident.title}”?</AlertDialog.Title>
            <AlertDialog.Description className="text-sm text-muted-foreground">
              The affected services stop inheriting its severity. A resolved incident cannot be reopened.
            </AlertDialog.Description>
            <FormErrorSummary errors={form.errors} labels={UPDATE_LABELS} />
            <Field label="Closing update" error={messageFor(form.errors.fields, 'message')}>
              <Textarea name="message" rows={3} value={form.values.message} onChange={(e) => { form.set('message', e.target.value); }} />
            </Field>
            <div className="flex justify-end gap-2">
              <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Cancel</AlertDialog.Cancel>
              <Button type="submit">Resolve</Button>
            </div>
          </form>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

function AffectedServices({ slugs }: { slugs: string[] }) {
  const fleet = useFleet();
  return (
    <Card aria-labelledby="affected-title" className="self-start">
      <CardHeader>
        <div>
          <CardTitle id="affected-title">Affected services</CardTitle>
          <CardDescription>Their status right now.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <ul className="space-y-2">
          {slugs.map((slug) => {
            const service = fleet.bySlug.get(slug);
            return (
              <li key={slug} className="flex items-center gap-2 text-sm">
                {service ? <StatusDot status={service.status} /> : null}
                {service ? (
                  <Link href={`/services/${slug}`} className="font-medium hover:underline">
                    {service.name}
                  </Link>
                ) : (
                  <span className="font-mono">{slug}</span>
                )}
                <span className="ml-auto text-xs text-muted-foreground">
                  {service ? STATUS_LOOK[service.status].label : fleet.services ? 'deleted' : ''}
                </span>
              </li>
            );
          })}
        </ul>
      </CardContent>
    </Card>
  );
}
