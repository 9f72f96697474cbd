'use client';

import type { IncidentSummary, ListIncidentsInput } from '@bastion/api/incidents/schema';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { Siren } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { Age } from '@/components/age';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { IncidentStatusBadge, SeverityBadge } from '@/components/status-badges';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR, LoadingRows } from '@/components/ui/table';
import { useFleet } from '@/hooks/use-fleet';
import { INCIDENT_STATUS_LABEL, SEVERITY_LOOK } from '@/lib/status';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { Can } from '@/features/auth/access-gates';

type StatusFilter = NonNullable<ListIncidentsInput['status']> | 'all';
type Severity = IncidentSummary['severity'];

const STATUS_FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'open', label: 'Open (not resolved)' },
  { value: 'all', label: 'All' },
  ...(Object.keys(INCIDENT_STATUS_LABEL) as IncidentSummary['status'][]).map((s) => ({ value: s, label: INCIDENT_STATUS_LABEL[s] })),
];
const SEVERITIES = Object.keys(SEVERITY_LOOK) as Severity[];

const NO_ITEMS: IncidentSummary[] = [];

/** Incidents, newest first, filtered on the server by status, severity and service (kept in the URL). */
export function IncidentsList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const fleet = useFleet();
  const status = STATUS_FILTERS.find((f) => f.value === params.get('status'))?.value ?? 'open';
  const severity = SEVERITIES.find((s) => s === params.get('severity'));
  const service = params.get('service') ?? undefined;

  function setParam(key: string, value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const input = {
    limit: 20,
    ...(status !== 'all' ? { status } : {}),
    ...(severity ? { severity } : {}),
    ...(service ? { service } : {}),
  };
  const query = useInfiniteQuery(
    trpc.incidents.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? NO_ITEMS, [query.data]);

  return (
    <div className="space-y-4">
      <PageHeader
        title="Incidents"
        description="Declared problems, their timeline and who they affect."
        actions={
          <Can scopes={['incidents:write']}>
            <Button asChild>
              <Link href={service ? `/incidents/new?service=${service}` : '/incidents/new'}>
                <Siren aria-hidden /> Declare incident
              </Link>
            </Button>
          </Can>
        }
      />
      <form aria-label="Filter incidents" className="flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); }}>
        <div className="grid gap-1.5">
          <label htmlFor="incident-status" className="text-sm font-medium">
            Status
          </label>
          <NativeSelect id="incident-status" value={status} onChange={(e) => { setParam('status', e.target.value === 'open' ? undefined : e.target.value); }}>
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <label htmlFor="incident-severity" className="text-sm font-medium">
            Severity
          </label>
          <NativeSelect id="incident-severity" value={severity ?? ''} onChange={(e) => { setParam('severity', e.target.value || undefined); }}>
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LOOK[s].label}: {SEVERITY_LOOK[s].description.split(':')[0]}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <label htmlFor="incident-service" className="text-sm font-medium">
            Service
          </label>
          <NativeSelect id="incident-service" value={service ?? ''} onChange={(e) => { setParam('service', e.target.value || undefined); }}>
            <option value="">Any service</option>
            {service && !fleet.bySlug.has(service) ? <option value={service}>{service}</option> : null}
            {(fleet.services ?? []).map((s) => (
              <option key={s.slug} value={s.slug}>
                {s.name}
              </option>
            ))}
          </NativeSelect>
        </div>
      </form>

      {query.isError && !query.data ? <QueryError error={query.error} what="incidents" onRetry={() => void query.refetch()} /> : null}

      <Card>
        <Table aria-label="Incidents">
          <THead>
            <TR className="hover:bg-transparent">
              <TH>Severity</TH>
              <TH>Incident</TH>
              <TH>Status</TH>
              <TH>Affects</TH>
              <TH>Declared</TH>
              <TH>Duration</TH>
            </TR>
          </THead>
          <TBody>
            {query.isPending
              ? <LoadingRows rows={4} columns={6} className="h-8" />
              : items.map((incident) => (
                  <TR key={incident.id} data-testid="incident-row" data-status={incident.status}>
                    <TD>
                      <SeverityBadge severity={incident.severity} />
                    </TD>
                    <TD>
                      <Link href={`/incidents/${incident.id}`} prefetch={false} className="font-medium hover:underline">
                        {incident.title}
                      </Link>
                    </TD>
                    <TD>
                      <IncidentStatusBadge status={incident.status} />
                    </TD>
                    <TD className="max-w-56 truncate font-mono text-xs">{incident.serviceSlugs.join(', ')}</TD>
                    <TD className="whitespace-nowrap text-muted-foreground">{formatDateTime(incident.createdAt)}</TD>
                    <TD className="whitespace-nowrap">
                      {incident.resolvedAt ? (
                        <span className="text-muted-foreground">
                          lasted <Age since={incident.createdAt} until={incident.resolvedAt} />
                        </span>
                      ) : (
                        <span>
                          open <Age since={incident.createdAt} />
                        </span>
                      )}
                    </TD>
                  </TR>
                ))}
          </TBody>
        </Table>
        {!query.isPending && items.length === 0 ? (
          <div className="p-5">
            <EmptyState title={status === 'open' ? 'No open incidents' : 'No incident matches these filters'}>
              {status === 'open' ? 'Nothing is on fire. Resolved incidents are under the "All" filter.' : 'Change the filters above.'}
            </EmptyState>
          </div>
        ) : null}
        {query.hasNextPage ? (
          <div className="flex justify-end border-t px-4 py-3">
            <Button variant="outline" size="sm" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
