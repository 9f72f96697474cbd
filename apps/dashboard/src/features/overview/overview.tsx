'use client';

import type { HeartbeatStrip as Strip } from '@bastion/api/heartbeats/schema';
import type { Service } from '@bastion/api/services/schema';
import type { StatusSummary } from '@bastion/api/status/schema';
import { useQuery } from '@tanstack/react-query';
import { CircleCheck, Plus, Siren } from 'lucide-react';
import Link from 'next/link';
import { useMemo } from 'react';
import { Age } from '@/components/age';
import { HeartbeatStrip, StripLegend } from '@/components/heartbeat-strip';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { IncidentStatusBadge, SeverityBadge, STATUS_ICON, StatusBadge, StatusDot, TierBadge } from '@/components/status-badges';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { useFleet } from '@/hooks/use-fleet';
import { useHydrated } from '@/hooks/use-hydrated';
import { cn } from '@/lib/cn';
import { humanizeDetail } from '@/lib/reasons';
import { bannerText, compareByUrgency, plural, STATUS_LOOK } from '@/lib/status';
import { useTRPC } from '@/lib/trpc';
import { Can } from '@/features/auth/access-gates';
import { OVERVIEW_STRIP } from './overview-queries';


/*
 * Links in the dense lists below do not prefetch: a dozen route prefetches at load compete with
 * the first data request for the server, which delayed the first useful paint (measured).
 */
export function Overview() {
  const trpc = useTRPC();
  const status = useQuery(trpc.status.get.queryOptions());
  const fleet = useFleet();
  const strip = useQuery(trpc.heartbeats.strip.queryOptions(OVERVIEW_STRIP));
  const services = useMemo(() => fleet.services?.slice().sort(compareByUrgency), [fleet.services]);
  // "Ready" means usable: data shown *and* hydrated, so the server-rendered HTML (which already
  // carries the data) does not claim readiness before its buttons and links respond.
  const hydrated = useHydrated();
  const ready = hydrated && status.data !== undefined && services !== undefined;

  return (
    <div data-testid="overview" data-ready={ready ? 'true' : 'false'} className="space-y-6">
      <PageHeader
        title="Overview"
        description="The fleet right now. Select a service to see why it is in its state and what depends on it."
        actions={
          <Can scopes={['incidents:write']}>
            <Button asChild>
              <Link href="/incidents/new">
                <Siren aria-hidden /> Declare incident
              </Link>
            </Button>
          </Can>
        }
      />

      {status.data ? (
        <StatusBanner summary={status.data} />
      ) : status.isError ? (
        <QueryError error={status.error} what="the fleet status" onRetry={() => void status.refetch()} />
      ) : (
        <Skeleton className="h-24" />
      )}

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2" aria-labelledby="services-title">
          <CardHeader>
            <div>
              <CardTitle id="services-title">Services</CardTitle>
              <CardDescription>Worst first, then by tier.</CardDescription>
            </div>
            <Button asChild variant="outline" size="sm">
              <Link href="/services">All services</Link>
            </Button>
          </CardHeader>
          <CardContent>
            {services ? (
              services.length > 0 ? (
                <ServiceGrid services={services} />
              ) : (
                <EmptyState
                  title="No services yet"
                  action={
                    <Can scopes={['services:write']}>
                      <Button asChild>
                        <Link href="/services/new">
                          <Plus aria-hidden /> Add a service
                        </Link>
                      </Button>
                    </Can>
                  }
                >
                  Add the services you run; monitors then report heartbeats to them.
                </EmptyState>
              )
            ) : fleet.isError ? (
              <QueryError error={fleet.error} what="services" onRetry={() => void fleet.refetch()} />
            ) : (
              <ul aria-label="Loading services" className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
                {Array.from({ length: 6 }, (_, i) => (
                  <li key={i}>
                    <Skeleton className="h-28" />
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>

        <Card aria-labelledby="incidents-title">
          <CardHeader>
            <div>
              <CardTitle id="incidents-title">Open incidents</CardTitle>
              <CardDescription>Severity and how long they have been open.</CardDescription>
            </div>
            <Button asChild variant="outline" size="sm">
              <Link href="/incidents">All incidents</Link>
            </Button>
          </CardHeader>
          <CardContent>
            {status.data ? (
              <OpenIncidents incidents={status.data.openIncidents} />
            ) : status.isError ? null : (
              <div className="space-y-3">
                <Skeleton className="h-16" />
                <Skeleton className="h-16" />
              </div>
            )}
          </CardContent>
        </Card>
      </div>

      <Card aria-labelledby="strip-title">
        <CardHeader>
          <div>
            <CardTitle id="strip-title">Heartbeats, last 24 hours</CardTitle>
            <CardDescription>Each cell is 30 minutes: the worst heartbeat reported in it.</CardDescription>
          </div>
          <StripLegend />
        </CardHeader>
        <CardContent>
          {strip.data && services ? (
            <StripTable strip={strip.data} services={services} />
          ) : strip.isError ? (
            <QueryError error={strip.error} what="heartbeat history" onRetry={() => void strip.refetch()} />
          ) : (
            <div className="space-y-2">
              {Array.from({ length: 5 }, (_, i) => (
                <Skeleton key={i} className="h-6" />
              ))}
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function StatusBanner({ summary }: { summary: StatusSummary }) {
  const affected = summary.services.filter((s) => s.status !== 'operational').sort(compareByUrgency);
  const look = STATUS_LOOK[summary.indicator];
  const Icon = STATUS_ICON[summary.indicator];
  return (
    <section
      aria-labelledby="banner-title"
      data-testid="status-banner"
      data-status={summary.indicator}
      className={cn('flex flex-wrap items-center gap-4 rounded-lg border border-l-8 bg-card px-5 py-4', look.edge)}
    >
      <Icon aria-hidden className={cn('size-9 shrink-0', look.text)} />
      <div className="min-w-0 flex-1">
        <h2 id="banner-title" className="text-lg font-semibold">
          {bannerText(summary.indicator, affected.length)}
        </h2>
        <p className="text-sm text-muted-foreground">
          {summary.services.length - affected.length} of {plural(summary.services.length, 'service')} operational ·{' '}
          {plural(summary.openIncidents.length, 'open incident')}
        </p>
        {affected.length > 0 ? (
          <ul aria-label="Affected services" className="mt-2 flex flex-wrap gap-2">
            {affected.slice(0, 8).map((s) => (
              <li key={s.slug}>
                <Link
                  href={`/services/${s.slug}`}
                  prefetch={false}
                  className="inline-flex items-center gap-1.5 rounded-md border bg-background px-2 py-1 text-xs font-medium hover:bg-muted"
                >
                  <StatusDot status={s.status} />
                  {s.name}
                  <span className="sr-only">: {STATUS_LOOK[s.status].label}</span>
                </Link>
              </li>
            ))}
            {affected.length > 8 ? <li className="px-2 py-1 text-xs text-muted-foreground">+{affected.length - 8} more</li> : null}
          </ul>
        ) : null}
      </div>
    </section>
  );
}

function ServiceGrid({ services }: { services: Service[] }) {
  return (
    <ul aria-label="Services by status" className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
      {services.map((s) => {
        const look = STATUS_LOOK[s.status];
        const reason = s.statusReasons[0];
        return (
          <li key={s.slug}>
            <Link
              href={`/services/${s.slug}`}
              prefetch={false}
              data-testid="service-tile"
              data-slug={s.slug}
              data-status={s.status}
              className={cn(
                'flex h-full flex-col gap-2 rounded-lg border border-l-4 p-3 transition-colors hover:bg-muted/60',
                look.edge,
                s.status !== 'operational' && look.tint,
              )}
            >
              <div className="flex items-start justify-between gap-2">
                <div className="min-w-0">
                  <p className="truncate font-medium">{s.name}</p>
                  <p className="truncate font-mono text-xs text-muted-foreground">{s.slug}</p>
                </div>
                <TierBadge tier={s.tier} />
              </div>
              <div className="flex items-center justify-between gap-2">
                <StatusBadge status={s.status} />
                <span className="text-xs text-muted-foreground">
                  {s.uptime.h24 === null ? 'no data' : `${s.uptime.h24.toFixed(1)}% up`}
                  <span className="sr-only"> in the last 24 hours</span>
                </span>
              </div>
              {reason ? <p className="line-clamp-2 text-xs">{humanizeDetail(reason.detail)}</p> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

function OpenIncidents({ incidents }: { incidents: StatusSummary['openIncidents'] }) {
  if (incidents.length === 0) {
    return (
      <div className="flex items-center gap-2 rounded-lg border border-dashed px-4 py-6 text-sm text-muted-foreground">
        <CircleCheck aria-hidden className="size-4 text-status-operational-fg" />
        No open incidents.
      </div>
    );
  }
  const sorted = incidents.slice().sort((a, b) => a.severity.localeCompare(b.severity) || b.createdAt.localeCompare(a.createdAt));
  return (
    <ul className="space-y-3" aria-label="Open incidents">
      {sorted.map((incident) => (
        <li key={incident.id} data-testid="open-incident" className="rounded-lg border p-3">
          <div className="flex items-center gap-2">
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
            <span className="ml-auto text-xs text-muted-foreground">
              open <Age since={incident.createdAt} />
            </span>
          </div>
          <Link href={`/incidents/${incident.id}`} prefetch={false} className="mt-2 block font-medium hover:underline">
            {incident.title}
          </Link>
          <p className="mt-1 truncate text-xs text-muted-foreground">Affects {incident.serviceSlugs.join(', ')}</p>
        </li>
      ))}
    </ul>
  );
}

function StripTable({ strip, services }: { strip: Strip; services: Service[] }) {
  const bySlug = new Map(strip.services.map((s) => [s.slug, s.buckets]));
  return (
    <div>
      <div aria-hidden className="mb-1 grid grid-cols-[minmax(8rem,14rem)_1fr_4.5rem] gap-3 text-[0.7rem] text-muted-foreground">
        <span />
        <span className="flex justify-between">
          <span>24 h ago</span>
          <span>12 h ago</span>
          <span>now</span>
        </span>
        <span className="text-right">24 h uptime</span>
      </div>
      <ul aria-label="Heartbeats per service" className="space-y-1.5">
        {services.map((s) => {
          const buckets = bySlug.get(s.slug);
          return (
            <li key={s.slug} data-testid="strip-row" data-slug={s.slug} className="grid grid-cols-[minmax(8rem,14rem)_1fr_4.5rem] items-center gap-3">
              <Link href={`/services/${s.slug}`} prefetch={false} className="flex min-w-0 items-center gap-2 text-sm hover:underline">
                <StatusDot status={s.status} />
                <span className="truncate">{s.name}</span>
              </Link>
              {buckets ? <HeartbeatStrip buckets={buckets} bucketSeconds={strip.bucketSeconds} /> : <Skeleton className="h-6" />}
              <span className="text-right text-xs tabular-nums text-muted-foreground">
                {s.uptime.h24 === null ? '—' : `${s.uptime.h24.toFixed(1)}%`}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
