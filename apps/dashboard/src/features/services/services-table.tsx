'use client';

import type { Service, ServiceStatus, ServiceTier } from '@bastion/api/services/schema';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import {
  createColumnHelper,
  createSortedRowModel,
  rowSortingFeature,
  sortFn_basic,
  sortFn_text,
  tableFeatures,
  useTable,
  type SortingState,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ArrowUpDown, Pencil, Plus, Search } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useDeferredValue, useMemo, useState } from 'react';
import { Age } from '@/components/age';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { StatusBadge, TierBadge } from '@/components/status-badges';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR, LoadingRows } from '@/components/ui/table';
import { cn } from '@/lib/cn';
import { humanizeDetail } from '@/lib/reasons';
import { STATUS_LOOK, TIER_LOOK } from '@/lib/status';
import { useTRPC } from '@/lib/trpc';
import { Can } from '@/features/auth/access-gates';

const PAGE_SIZE = 25;

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { basic: sortFn_basic, text: sortFn_text },
});
const column = createColumnHelper<typeof features, Service>();

const columns = column.columns([
  column.accessor('name', {
    header: 'Service',
    sortFn: 'text',
    cell: ({ row }) => (
      <div className="min-w-0">
        <Link href={`/services/${row.original.slug}`} prefetch={false} className="font-medium hover:underline">
          {row.original.name}
        </Link>
        <p className="font-mono text-xs text-muted-foreground">{row.original.slug}</p>
      </div>
    ),
  }),
  column.accessor((s) => STATUS_LOOK[s.status].rank, {
    id: 'status',
    header: 'Status',
    sortFn: 'basic',
    sortDescFirst: true,
    cell: ({ row }) => {
      const reason = row.original.statusReasons[0];
      return (
        <div className="grid justify-items-start gap-1">
          <StatusBadge status={row.original.status} />
          {reason ? <span className="line-clamp-1 max-w-64 text-xs text-muted-foreground">{humanizeDetail(reason.detail)}</span> : null}
        </div>
      );
    },
  }),
  column.accessor((s) => TIER_LOOK[s.tier].rank, {
    id: 'tier',
    header: 'Tier',
    sortFn: 'basic',
    cell: ({ row }) => <TierBadge tier={row.original.tier} />,
  }),
  column.accessor('owner', {
    header: 'Owner',
    sortFn: 'text',
    cell: ({ getValue }) => getValue() || <span className="text-muted-foreground">—</span>,
  }),
  column.accessor((s) => s.uptime.h24 ?? undefined, {
    id: 'uptime',
    header: 'Uptime 24h',
    sortFn: 'basic',
    sortUndefined: 'last',
    cell: ({ row }) =>
      row.original.uptime.h24 === null ? <span className="text-muted-foreground">no data</span> : `${row.original.uptime.h24.toFixed(1)}%`,
  }),
  column.accessor((s) => (s.lastHeartbeatAt ? new Date(s.lastHeartbeatAt).getTime() : undefined), {
    id: 'lastHeartbeat',
    header: 'Last heartbeat',
    sortFn: 'basic',
    sortDescFirst: true,
    sortUndefined: 'last',
    cell: ({ row }) =>
      row.original.lastHeartbeatAt ? (
        <Age since={row.original.lastHeartbeatAt} suffix=" ago" />
      ) : (
        <span className="text-muted-foreground">never</span>
      ),
  }),
  column.display({
    id: 'actions',
    header: () => <span className="sr-only">Actions</span>,
    cell: ({ row }) => (
      <Can scopes={['services:write']}>
        <Button asChild variant="ghost" size="sm">
          <Link href={`/services/${row.original.slug}/edit`} prefetch={false} aria-label={`Edit ${row.original.name}`}>
            <Pencil aria-hidden /> Edit
          </Link>
        </Button>
      </Can>
    ),
  }),
]);

const STATUSES = Object.keys(STATUS_LOOK) as ServiceStatus[];
const TIERS = Object.keys(TIER_LOOK) as ServiceTier[];

function parseStatus(value: string | null): ServiceStatus | undefined {
  return STATUSES.find((s) => s === value);
}
function parseTier(value: string | null): ServiceTier | undefined {
  return TIERS.find((t) => t === value);
}

const NO_ROWS: Service[] = [];

/**
 * The catalogue: search, status and tier filters run on the server (and live in the URL, so a
 * filtered view can be shared); sorting orders the rows loaded so far; "Load more" follows the
 * API's cursor.
 */
export function ServicesTable() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDeferredValue(search.trim());
  const status = parseStatus(params.get('status'));
  const tier = parseTier(params.get('tier'));
  const [sorting, setSorting] = useState<SortingState>([]);

  function setParam(key: 'status' | 'tier' | 'q', value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const input = { limit: PAGE_SIZE, ...(q ? { q } : {}), ...(status ? { status } : {}), ...(tier ? { tier } : {}) };
  const query = useInfiniteQuery(
    trpc.services.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? NO_ROWS, [query.data]);
  const table = useTable({ features, columns, data: rows, state: { sorting }, onSortingChange: setSorting });
  const filtered = Boolean(q || status || tier);

  return (
    <div className="space-y-4">
      <PageHeader
        title="Services"
        description="The catalogue, with each service's derived status."
        actions={
          <Can scopes={['services:write']}>
            <Button asChild>
              <Link href="/services/new">
                <Plus aria-hidden /> Add service
              </Link>
            </Button>
          </Can>
        }
      />
      <form role="search" aria-label="Filter services" className="flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); }}>
        <div className="grid min-w-56 flex-1 gap-1.5">
          <label htmlFor="service-search" className="text-sm font-medium">
            Search
          </label>
          <div className="relative">
            <Search aria-hidden className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
            <Input
              id="service-search"
              type="search"
              placeholder="Name, slug, owner or description"
              className="pl-8"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setParam('q', e.target.value.trim() || undefined);
              }}
            />
          </div>
        </div>
        <div className="grid gap-1.5">
          <label htmlFor="service-status" className="text-sm font-medium">
            Status
          </label>
          <NativeSelect id="service-status" value={status ?? ''} onChange={(e) => { setParam('status', e.target.value || undefined); }}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LOOK[s].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <label htmlFor="service-tier" className="text-sm font-medium">
            Tier
          </label>
          <NativeSelect id="service-tier" value={tier ?? ''} onChange={(e) => { setParam('tier', e.target.value || undefined); }}>
            <option value="">Any tier</option>
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {TIER_LOOK[t].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        {filtered ? (
          <Button
            type="button"
            variant="ghost"
            onClick={() => {
              setSearch('');
              router.replace(pathname, { scroll: false });
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </form>

      {query.isError && !query.data ? (
        <QueryError error={query.error} what="services" onRetry={() => void query.refetch()} />
      ) : null}

      <Card>
        <Table aria-label="Services" aria-busy={query.isFetching && !query.isRefetching ? true : undefined}>
          <THead>
            {table.getHeaderGroups().map((group) => (
              <TR key={group.id} className="hover:bg-transparent">
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <TH
                      key={header.id}
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    >
                      {header.column.getCanSort() ? (
                        <button
                          type="button"
                          onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 rounded uppercase hover:text-foreground"
                        >
                          <table.FlexRender header={header} />
                          {sorted === 'asc' ? (
                            <ArrowUp aria-hidden className="size-3.5" />
                          ) : sorted === 'desc' ? (
                            <ArrowDown aria-hidden className="size-3.5" />
                          ) : (
                            <ArrowUpDown aria-hidden className="size-3.5 opacity-50" />
                          )}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </TH>
                  );
                })}
              </TR>
            ))}
          </THead>
          <TBody>
            {query.isPending
              ? <LoadingRows rows={6} columns={columns.length} className="h-9" />
              : table.getRowModel().rows.map((row) => (
                  <TR
                    key={row.id}
                    data-testid="service-row"
                    data-slug={row.original.slug}
                    data-status={row.original.status}
                    className={cn('border-l-4', STATUS_LOOK[row.original.status].edge)}
                  >
                    {row.getAllCells().map((cell) => (
                      <TD key={cell.id}>
                        <table.FlexRender cell={cell} />
                      </TD>
                    ))}
                  </TR>
                ))}
          </TBody>
        </Table>
        {!query.isPending && rows.length === 0 ? (
          <div className="p-5">
            {filtered ? (
              <EmptyState title="No service matches these filters">Change the search or clear the filters.</EmptyState>
            ) : (
              <EmptyState
                title="No services yet"
                action={
                  <Can scopes={['services:write']}>
                    <Button asChild>
                      <Link href="/services/new">Add the first service</Link>
                    </Button>
                  </Can>
                }
              >
                Services are what monitors report heartbeats about and what incidents affect.
              </EmptyState>
            )}
          </div>
        ) : null}
        <div className="flex flex-wrap items-center gap-3 border-t px-4 py-3 text-sm text-muted-foreground">
          <span aria-live="polite">
            {query.isPending ? 'Loading…' : `Showing ${rows.length} service${rows.length === 1 ? '' : 's'}${query.hasNextPage ? ' (more available)' : ''}`}
            {sorting.length > 0 && query.hasNextPage ? ' · sorting applies to the rows loaded so far' : ''}
          </span>
          {query.hasNextPage ? (
            <Button variant="outline" size="sm" className="ml-auto" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          ) : null}
        </div>
      </Card>
    </div>
  );
}
