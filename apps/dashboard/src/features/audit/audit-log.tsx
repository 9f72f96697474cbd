'use client';

import type { AuditEntry } from '@bastion/api/audit/schema';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type SubmitEvent, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR, LoadingRows } from '@/components/ui/table';
import { useSession } from '@/features/auth/use-session';
import { cn } from '@/lib/cn';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { AUDIT_RESULTS, type AuditFilters, type AuditResult, filtersFromParams, filtersToSearch, toListInput } from './audit-filters';

const PAGE_SIZE = 25;

const RESULT_LOOK: Record<AuditResult, string> = {
  success: 'bg-status-operational/12 text-status-operational-fg',
  failure: 'bg-status-major/12 text-status-major-fg',
  denied: 'bg-status-partial/12 text-status-partial-fg',
};

/** The audit log, newest first: filters in the URL, pages of 25 with newer/older. */
export function AuditLog() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersFromParams(params);
  const search = filtersToSearch(filters);

  function apply(next: AuditFilters) {
    const query = filtersToSearch(next);
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  return (
    <div className="space-y-4">
      <PageHeader title="Audit log" description="Who did what, when, and whether it was allowed. Append-only." />
      {/* Keyed by the filters: new filters start again from the first page. */}
      <FilterForm key={`form:${search}`} filters={filters} onApply={apply} />
      <AuditPages key={`pages:${search}`} filters={filters} />
    </div>
  );
}

function FilterForm({ filters, onApply }: { filters: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const trpc = useTRPC();
  const { can } = useSession();
  const [draft, setDraft] = useState(filters);
  // Admins pick an actor by email; the log itself filters by id.
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: can(['users:manage']), refetchInterval: false });
  const set = (key: keyof AuditFilters, value: string) => { setDraft((d) => ({ ...d, [key]: value })); };
  function submit(event: SubmitEvent) {
    event.preventDefault();
    onApply(draft);
  }
  const filtered = Object.values(filters).some(Boolean);
  return (
    <form aria-label="Filter the audit log" onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <div className="grid gap-1.5">
        <label htmlFor="audit-actor" className="text-sm font-medium">
          Actor
        </label>
        {users.data ? (
          <NativeSelect id="audit-actor" value={draft.actor} onChange={(e) => { set('actor', e.target.value); }} className="w-56">
            <option value="">Anyone</option>
            {draft.actor && !users.data.items.some((u) => u.id === draft.actor) ? <option value={draft.actor}>{draft.actor}</option> : null}
            {users.data.items.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </NativeSelect>
        ) : (
          <Input id="audit-actor" placeholder="User or key id" value={draft.actor} onChange={(e) => { set('actor', e.target.value); }} className="w-56" />
        )}
      </div>
      <div className="grid gap-1.5">
        <label htmlFor="audit-action" className="text-sm font-medium">
          Action
        </label>
        <Input id="audit-action" placeholder="e.g. auth.login" value={draft.action} onChange={(e) => { set('action', e.target.value); }} className="w-48" />
      </div>
      <div className="grid gap-1.5">
        <label htmlFor="audit-result" className="text-sm font-medium">
          Result
        </label>
        <NativeSelect id="audit-result" value={draft.result} onChange={(e) => { set('result', e.target.value); }} className="w-36">
          <option value="">Any result</option>
          {AUDIT_RESULTS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <label htmlFor="audit-from" className="text-sm font-medium">
          From
        </label>
        <Input id="audit-from" type="datetime-local" value={draft.from} onChange={(e) => { set('from', e.target.value); }} className="w-52" />
      </div>
      <div className="grid gap-1.5">
        <label htmlFor="audit-to" className="text-sm font-medium">
          To
        </label>
        <Input id="audit-to" type="datetime-local" value={draft.to} onChange={(e) => { set('to', e.target.value); }} className="w-52" />
      </div>
      <Button type="submit">Apply</Button>
      {filtered ? (
        <Button type="button" variant="ghost" onClick={() => { onApply({ actor: '', action: '', result: '', from: '', to: '' }); }}>
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}

function AuditPages({ filters }: { filters: AuditFilters }) {
  const trpc = useTRPC();
  // The cursors of the pages before this one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const query = useQuery({
    ...trpc.audit.list.queryOptions(toListInput(filters, cursor, PAGE_SIZE)),
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  const page = cursors.length;

  return (
    <>
      {query.isError && !query.data ? <QueryError error={query.error} what="the audit log" onRetry={() => void query.refetch()} /> : null}
      <Card>
        <Table aria-label="Audit log">
          <THead>
            <TR className="hover:bg-transparent">
              <TH>When</TH>
              <TH>Actor</TH>
              <TH>Action</TH>
              <TH>Target</TH>
              <TH>Result</TH>
              <TH>IP</TH>
              <TH>Detail</TH>
            </TR>
          </THead>
          <TBody>
            {query.isPending
              ? <LoadingRows rows={6} columns={7} className="h-7" />
              : items.map((entry) => <AuditRow key={entry.id} entry={entry} />)}
          </TBody>
        </Table>
        {!query.isPending && items.length === 0 && !query.isError ? (
          <div className="p-5">
            <EmptyState title="No audit entries match">
              {Object.values(filters).some(Boolean) ? 'Change or clear the filters.' : 'Nothing has been recorded yet.'}
            </EmptyState>
          </div>
        ) : null}
        <nav aria-label="Audit log pages" className="flex items-center justify-between gap-2 border-t px-4 py-3 text-sm">
          <span className="text-muted-foreground" data-testid="audit-page">
            Page {page}
          </span>
          <div className="flex gap-2">
            <Button
              variant="outline"
              size="sm"
              disabled={page === 1 || query.isFetching}
              onClick={() => { setCursors((c) => c.slice(0, -1)); }}
            >
              <ChevronLeft aria-hidden /> Newer
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={!query.data?.nextCursor || query.isFetching}
              onClick={() => {
                const next = query.data?.nextCursor;
                if (next) setCursors((c) => [...c, next]);
              }}
            >
              Older <ChevronRight aria-hidden />
            </Button>
          </div>
        </nav>
      </Card>
    </>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const detail = entry.detail ? Object.entries(entry.detail).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ') : '';
  return (
    <TR data-testid="audit-row" data-id={entry.id} data-action={entry.action} data-result={entry.result}>
      <TD className="whitespace-nowrap">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </TD>
      <TD className="max-w-56">
        {entry.actor.kind === 'anonymous' ? (
          <span className="text-muted-foreground">anonymous</span>
        ) : (
          <span className="block truncate" title={entry.actor.id ?? undefined}>
            {entry.actor.label ?? entry.actor.id}
            {entry.actor.kind === 'apiKey' ? <span className="ml-1 text-xs text-muted-foreground">(API key)</span> : null}
          </span>
        )}
      </TD>
      <TD className="font-mono text-xs">{entry.action}</TD>
      <TD className="max-w-48 truncate font-mono text-xs" title={entry.target ?? undefined}>
        {entry.target ?? <span className="text-muted-foreground">—</span>}
      </TD>
      <TD>
        <Badge className={cn('border-transparent', RESULT_LOOK[entry.result])}>{entry.result}</Badge>
      </TD>
      <TD className="whitespace-nowrap font-mono text-xs text-muted-foreground">{entry.ip ?? '—'}</TD>
      <TD className="max-w-72 truncate text-xs text-muted-foreground" title={detail || undefined}>
        {detail || '—'}
      </TD>
    </TR>
  );
}
