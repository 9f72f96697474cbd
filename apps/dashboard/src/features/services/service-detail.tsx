'use client';

import type { Heartbeat } from '@bastion/api/heartbeats/schema';
import type { Service, StatusReason } from '@bastion/api/services/schema';
import { useQuery } from '@tanstack/react-query';
import { CircleCheck, Network, Pencil, Siren } from 'lucide-react';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useMemo } from 'react';
import { Age } from '@/components/age';
import { HeartbeatStrip, StripLegend } from '@/components/heartbeat-strip';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { IncidentStatusBadge, SeverityBadge, STATUS_ICON, StatusBadge, StatusDot, TierBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { useFleet } from '@/hooks/use-fleet';
import { cn } from '@/lib/cn';
import { isNotFound } from '@/lib/errors';
import { humanizeDetail } from '@/lib/reasons';
import { plural, REASON_LABEL, STATUS_LOOK } from '@/lib/status';
import { formatDateTime } from '@/lib/time';
import { useTRPC } from '@/lib/trpc';
import { DependencyGraph } from './dependency-graph';
import { Can } from '@/features/auth/access-gates';

const LatencyChart = dynamic(() => import('./latency-chart'), {
  ssr: false,
  loading: () => <Skeleton className="h-[220px]" />,
});

/** The service's strip: 24 hours in 15-minute intervals. */
const SERVICE_STRIP = { hours: 24, buckets: 96 } as const;

export function ServiceDetail({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.services.get.queryOptions({ slug }));

  if (query.isPending) return <DetailSkeleton />;
  if (query.isError && !query.data) {
    if (isNotFound(query.error)) {
      return (
        <EmptyState
          title={`No service “${slug}”`}
          action={
            <Button asChild>
              <Link href="/services">All services</Link>
            </Button>
          }
        >
          It may have been deleted, or the address is mistyped.
        </EmptyState>
      );
    }
    return <QueryError error={query.error} what="the service" onRetry={() => void query.refetch()} />;
  }
  return <ServiceView service={query.data} />;
}

function ServiceView({ service }: { service: Service }) {
  return (
    <div className="space-y-6" data-testid="service-detail" data-status={service.status}>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {service.name}
            <StatusBadge status={service.status} className="text-sm" />
            <TierBadge tier={service.tier} />
          </span>
        }
        description={
          <span className="flex flex-wrap gap-x-4 gap-y-1">
            <span className="font-mono">{service.slug}</span>
            {service.owner ? <span>Owned by {service.owner}</span> : null}
            <span>Heartbeat every {service.heartbeatIntervalSeconds}s</span>
          </span>
        }
        actions={
          <>
            <Can scopes={['services:write']}>
              <Button asChild variant="outline">
                <Link href={`/services/${service.slug}/edit`}>
                  <Pencil aria-hidden /> Edit
                </Link>
              </Button>
            </Can>
            <Can scopes={['incidents:write']}>
              <Button asChild>
                <Link href={`/incidents/new?service=${service.slug}`}>
                  <Siren aria-hidden /> Declare incident
                </Link>
              </Button>
            </Can>
          </>
        }
      />
      {service.description ? <p className="max-w-3xl text-sm">{service.description}</p> : null}

      <div className="grid gap-6 lg:grid-cols-3">
        <StatusWhy service={service} />
        <UptimeCard service={service} />
      </div>
      <DependenciesCard service={service} />
      <HeartbeatsCard service={service} />
      <ServiceIncidents slug={service.slug} />
    </div>
  );
}

function StatusWhy({ service }: { service: Service }) {
  const look = STATUS_LOOK[service.status];
  const Icon = STATUS_ICON[service.status];
  return (
    <Card className={cn('border-l-4 lg:col-span-2', look.edge)} aria-labelledby="why-title">
      <CardHeader>
        <div>
          <CardTitle id="why-title" className="flex items-center gap-2">
            <Icon aria-hidden className={cn('size-5', look.text)} />
            Why {look.label.toLowerCase()}?
          </CardTitle>
          <CardDescription>{look.description}</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {service.statusReasons.length === 0 ? (
          <p className="flex items-center gap-2 text-sm">
            <CircleCheck aria-hidden className="size-4 text-status-operational-fg" />
            <span>
              Nothing wrong: the last heartbeat was up
              {service.lastHeartbeatAt ? (
                <>
                  , <Age since={service.lastHeartbeatAt} suffix=" ago" />
                </>
              ) : null}
              ; no open incident; no dependency is down.
            </span>
          </p>
        ) : (
          <ul className="space-y-2" data-testid="status-reasons">
            {service.statusReasons.map((reason, i) => (
              <li key={i} className="flex flex-wrap items-start gap-x-3 gap-y-1 rounded-md border p-3">
                <Badge className="bg-muted">{REASON_LABEL[reason.kind]}</Badge>
                <StatusBadge status={reason.status} />
                <p className="min-w-0 basis-full text-sm sm:basis-auto sm:flex-1">{humanizeDetail(reason.detail)}</p>
                <ReasonLink reason={reason} />
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

function ReasonLink({ reason }: { reason: StatusReason }) {
  if (!reason.ref) return null;
  if (reason.kind === 'incident') {
    return (
      <Link href={`/incidents/${reason.ref}`} className="text-sm font-medium text-primary underline-offset-4 hover:underline">
        Open the incident
      </Link>
    );
  }
  if (reason.kind === 'dependency') {
    return (
      <Link href={`/services/${reason.ref}`} className="text-sm font-medium text-primary underline-offset-4 hover:underline">
        Go to {reason.ref}
      </Link>
    );
  }
  return null;
}

function UptimeCard({ service }: { service: Service }) {
  const windows = [
    { label: '24 hours', value: service.uptime.h24 },
    { label: '7 days', value: service.uptime.d7 },
    { label: '30 days', value: service.uptime.d30 },
  ];
  return (
    <Card aria-labelledby="uptime-title">
      <CardHeader>
        <div>
          <CardTitle id="uptime-title">Uptime</CardTitle>
          <CardDescription>Share of heartbeats reporting up.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-3 gap-3">
          {windows.map((w) => (
            <div key={w.label} className="rounded-md border p-3">
              <dt className="text-xs text-muted-foreground">{w.label}</dt>
              <dd className="mt-1 text-xl font-semibold tabular-nums">{w.value === null ? '—' : `${w.value.toFixed(2)}%`}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-sm text-muted-foreground">
          Last heartbeat:{' '}
          {service.lastHeartbeatAt ? (
            <>
              <Age since={service.lastHeartbeatAt} suffix=" ago" /> ({formatDateTime(service.lastHeartbeatAt)})
            </>
          ) : (
            'never'
          )}
        </p>
      </CardContent>
    </Card>
  );
}

function DependenciesCard({ service }: { service: Service }) {
  const trpc = useTRPC();
  const fleet = useFleet();
  const blast = useQuery(trpc.services.blastRadius.queryOptions({ slug: service.slug }));
  const blastDepths = useMemo(() => new Map((blast.data?.items ?? []).map((i) => [i.slug, i.depth])), [blast.data]);
  const critical = blast.data?.items.filter((i) => i.tier === 'critical').length ?? 0;

  return (
    <Card aria-labelledby="deps-title">
      <CardHeader>
        <div>
          <CardTitle id="deps-title" className="flex items-center gap-2">
            <Network aria-hidden className="size-5" />
            Dependencies and blast radius
          </CardTitle>
          <CardDescription>
            Left: what depends on {service.name} and would be hit if it failed (outlined red). Right: what it calls.
          </CardDescription>
        </div>
        {blast.data ? (
          <p
            data-testid="blast-summary"
            className={cn(
              'rounded-md px-3 py-1.5 text-sm font-medium',
              blast.data.items.length > 0 ? 'bg-status-major/12 text-status-major-fg' : 'bg-muted text-muted-foreground',
            )}
          >
            Blast radius: {plural(blast.data.items.length, 'service')}
            {critical > 0 ? `, ${critical} critical` : ''}
          </p>
        ) : null}
      </CardHeader>
      <CardContent className="space-y-4">
        {fleet.services && blast.data ? (
          <DependencyGraph service={service} fleet={fleet.bySlug} blastDepths={blastDepths} />
        ) : blast.isError ? (
          <QueryError error={blast.error} what="the blast radius" onRetry={() => void blast.refetch()} />
        ) : (
          <Skeleton className="h-40" />
        )}
        <div className="grid gap-4 md:grid-cols-2">
          <div>
            <h3 className="mb-2 text-sm font-medium">Would be hit if {service.name} failed</h3>
            {blast.data ? (
              blast.data.items.length === 0 ? (
                <p className="text-sm text-muted-foreground">Nothing depends on it.</p>
              ) : (
                <ul className="space-y-1 text-sm" data-testid="blast-radius">
                  {blast.data.items.map((item) => (
                    <li key={item.slug} className="flex items-center gap-2">
                      <StatusDot status={item.status} />
                      <Link href={`/services/${item.slug}`} className="hover:underline">
                        {item.name}
                      </Link>
                      <TierBadge tier={item.tier} />
                      <span className="text-xs text-muted-foreground">{item.depth === 1 ? 'direct' : `${item.depth} hops`}</span>
                    </li>
                  ))}
                </ul>
              )
            ) : null}
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium">{service.name} depends on</h3>
            {service.dependsOn.length === 0 ? (
              <p className="text-sm text-muted-foreground">No dependencies.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {service.dependsOn.map((slug) => {
                  const dep = fleet.bySlug.get(slug);
                  return (
                    <li key={slug} className="flex items-center gap-2">
                      {dep ? <StatusDot status={dep.status} /> : null}
                      <Link href={`/services/${slug}`} className="hover:underline">
                        {dep?.name ?? slug}
                      </Link>
                      {dep ? <span className="text-xs text-muted-foreground">{STATUS_LOOK[dep.status].label}</span> : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        </div>
      </CardContent>
    </Card>
  );
}

function HeartbeatsCard({ service }: { service: Service }) {
  const trpc = useTRPC();
  const strip = useQuery(trpc.heartbeats.strip.queryOptions({ ...SERVICE_STRIP, service: service.slug }));
  const list = useQuery(trpc.heartbeats.list.queryOptions({ slug: service.slug, limit: 100 }));
  const buckets = strip.data?.services[0]?.buckets;
  return (
    <Card aria-labelledby="hb-title">
      <CardHeader>
        <div>
          <CardTitle id="hb-title">Heartbeat history</CardTitle>
          <CardDescription>Last 24 hours in 15-minute intervals, then the latest 100 heartbeats.</CardDescription>
        </div>
        <StripLegend />
      </CardHeader>
      <CardContent className="space-y-5">
        {buckets && strip.data ? (
          <div>
            <HeartbeatStrip buckets={buckets} bucketSeconds={strip.data.bucketSeconds} className="h-8" />
            <div aria-hidden className="mt-1 flex justify-between text-[0.7rem] text-muted-foreground">
              <span>24 h ago</span>
              <span>12 h ago</span>
              <span>now</span>
            </div>
          </div>
        ) : strip.isError ? (
          <QueryError error={strip.error} what="the heartbeat strip" />
        ) : (
          <Skeleton className="h-8" />
        )}
        {list.data ? (
          list.data.items.length === 0 ? (
            <EmptyState title="No heartbeats yet">
              Monitors report with <code className="font-mono">POST /api/v1/services/{service.slug}/heartbeats</code>; see the{' '}
              <Link href="/api-reference" className="text-primary underline">
                API page
              </Link>
              .
            </EmptyState>
          ) : (
            <>
              {list.data.items.some((h) => h.latencyMs !== null) ? <LatencyChart heartbeats={list.data.items} /> : null}
              <RecentHeartbeats heartbeats={list.data.items.slice(0, 10)} />
            </>
          )
        ) : list.isError ? (
          <QueryError error={list.error} what="heartbeats" />
        ) : (
          <Skeleton className="h-48" />
        )}
      </CardContent>
    </Card>
  );
}

const HEARTBEAT_TONE: Record<Heartbeat['status'], Service['status']> = {
  up: 'operational',
  degraded: 'degraded',
  down: 'major_outage',
};

function RecentHeartbeats({ heartbeats }: { heartbeats: Heartbeat[] }) {
  return (
    <Table aria-label="Latest heartbeats">
      <THead>
        <TR className="hover:bg-transparent">
          <TH>Observed</TH>
          <TH>Reported</TH>
          <TH>Latency</TH>
          <TH>Message</TH>
        </TR>
      </THead>
      <TBody>
        {heartbeats.map((h) => {
          const look = STATUS_LOOK[HEARTBEAT_TONE[h.status]];
          return (
            <TR key={h.id} data-testid="heartbeat-row" data-status={h.status}>
              <TD className="whitespace-nowrap">
                {formatDateTime(h.observedAt)} <span className="text-xs text-muted-foreground">(<Age since={h.observedAt} suffix=" ago" />)</span>
              </TD>
              <TD>
                <Badge className={cn('border-transparent', look.tint, look.text)}>{h.status}</Badge>
              </TD>
              <TD className="tabular-nums">{h.latencyMs === null ? '—' : `${h.latencyMs} ms`}</TD>
              <TD className="max-w-md truncate text-muted-foreground">{h.message ?? ''}</TD>
            </TR>
          );
        })}
      </TBody>
    </Table>
  );
}

function ServiceIncidents({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const incidents = useQuery(trpc.incidents.list.queryOptions({ service: slug, limit: 10 }));
  return (
    <Card aria-labelledby="svc-incidents-title">
      <CardHeader>
        <div>
          <CardTitle id="svc-incidents-title">Incidents</CardTitle>
          <CardDescription>The latest incidents that touched this service.</CardDescription>
        </div>
        <Button asChild variant="outline" size="sm">
          <Link href={`/incidents?service=${slug}`}>All of them</Link>
        </Button>
      </CardHeader>
      <CardContent>
        {incidents.data ? (
          incidents.data.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No incident has touched this service.</p>
          ) : (
            <ul className="divide-y">
              {incidents.data.items.map((incident) => (
                <li key={incident.id} className="flex flex-wrap items-center gap-2 py-2">
                  <SeverityBadge severity={incident.severity} />
                  <IncidentStatusBadge status={incident.status} />
                  <Link href={`/incidents/${incident.id}`} className="font-medium hover:underline">
                    {incident.title}
                  </Link>
                  <span className="ml-auto text-xs text-muted-foreground">{formatDateTime(incident.createdAt)}</span>
                </li>
              ))}
            </ul>
          )
        ) : incidents.isError ? (
          <QueryError error={incidents.error} what="incidents" />
        ) : (
          <Skeleton className="h-16" />
        )}
      </CardContent>
    </Card>
  );
}

function DetailSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading the service">
      <Skeleton className="h-12 w-80" />
      <div className="grid gap-6 lg:grid-cols-3">
        <Skeleton className="h-40 lg:col-span-2" />
        <Skeleton className="h-40" />
      </div>
      <Skeleton className="h-64" />
    </div>
  );
}
