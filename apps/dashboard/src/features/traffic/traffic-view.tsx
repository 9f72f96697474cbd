'use client';

import type { TrafficOutput } from '@bastion/api/traffic/schema';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { type ReactNode, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { EmptyState, QueryError } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { useTRPC } from '@/lib/trpc';
import { callerRow } from './top-callers';
import { latestFullBucket, refusals, WINDOWS, type TrafficWindow } from './traffic-summary';

// Recharts is the dashboard's heaviest dependency: only this page and the service page load it.
// next/dynamic's options must be an object literal at each call (the compiler reads them).
const chartLoading = () => <Skeleton className="h-[200px]" />;
const RateChart = dynamic(() => import('./traffic-charts').then((m) => m.RateChart), { ssr: false, loading: chartLoading });
const LatencyPercentilesChart = dynamic(() => import('./traffic-charts').then((m) => m.LatencyPercentilesChart), { ssr: false, loading: chartLoading });
const StatusClassChart = dynamic(() => import('./traffic-charts').then((m) => m.StatusClassChart), { ssr: false, loading: chartLoading });
const RefusalsChart = dynamic(() => import('./traffic-charts').then((m) => m.RefusalsChart), { ssr: false, loading: chartLoading });

const ms = (value: number | null) => (value === null ? '—' : `${value.toLocaleString('en')} ms`);

/** Live traffic over every instance: where an operator sees an attack begin and end. */
export function TrafficView() {
  const trpc = useTRPC();
  const [minutes, setMinutes] = useState<TrafficWindow>(15);
  const traffic = useQuery({ ...trpc.traffic.get.queryOptions({ minutes }), placeholderData: keepPreviousData });

  return (
    <div data-testid="traffic" className="space-y-6">
      <PageHeader
        title="Traffic"
        description="Requests answered by every server instance, in 10-second buckets. Updates every few seconds."
        actions={
          <div role="group" aria-label="Window" className="flex gap-1">
            {WINDOWS.map((w) => (
              <Button key={w} size="sm" variant={w === minutes ? 'default' : 'outline'} aria-pressed={w === minutes} onClick={() => { setMinutes(w); }}>
                {w < 60 ? `${String(w)} min` : `${String(w / 60)} h`}
              </Button>
            ))}
          </div>
        }
      />
      {traffic.data ? (
        <TrafficReport traffic={traffic.data} />
      ) : traffic.isError ? (
        <QueryError error={traffic.error} what="traffic" onRetry={() => void traffic.refetch()} />
      ) : (
        <Skeleton className="h-96" />
      )}
    </div>
  );
}

function TrafficReport({ traffic }: { traffic: TrafficOutput }) {
  const now = latestFullBucket(traffic);
  const refused = refusals(traffic.totals);
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Requests / s" value={now ? now.perSecond.toLocaleString('en') : '—'} hint="last full 10 s" />
        <Stat label="p95 latency" value={ms(now?.p95Ms ?? null)} hint={`p99 ${ms(now?.p99Ms ?? null)}`} />
        <Stat label="Server errors (5xx)" value={traffic.totals.status5xx.toLocaleString('en')} hint="in the window" alert={traffic.totals.status5xx > 0} />
        <Stat
          label="Refused (401 / 403 / 429)"
          value={refused.toLocaleString('en')}
          hint={`${String(traffic.totals.status401)} / ${String(traffic.totals.status403)} / ${String(traffic.totals.status429)}`}
          alert={refused > 0}
        />
      </div>
      <p className="text-xs text-muted-foreground">
        {traffic.instances === 1 ? '1 server instance' : `${String(traffic.instances)} server instances`} reported in this window.
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard title="Request rate" description="Requests per second.">
          <RateChart data={traffic.series} />
        </ChartCard>
        <ChartCard title="Latency" description="p50, p95 and p99 of the time to answer.">
          <LatencyPercentilesChart data={traffic.series} />
        </ChartCard>
        <ChartCard title="Responses" description="By status class, per bucket.">
          <StatusClassChart data={traffic.series} />
        </ChartCard>
        <ChartCard title="Refused" description="Bad credentials, missing scopes or blocks, rate limits: an attack shows here first.">
          <RefusalsChart data={traffic.series} />
        </ChartCard>
      </div>
      <TopCallers callers={traffic.callers} />
      <Card>
        <CardHeader>
          <CardTitle>Busiest procedures</CardTitle>
          <CardDescription>Over the window, busiest first.</CardDescription>
        </CardHeader>
        <CardContent>
          {traffic.procedures.length === 0 ? (
            <EmptyState title="No traffic in this window" />
          ) : (
            <Table aria-label="Busiest procedures">
              <THead>
                <TR>
                  <TH>Procedure</TH>
                  <TH className="text-right">Requests</TH>
                  <TH className="text-right">4xx</TH>
                  <TH className="text-right">5xx</TH>
                  <TH className="text-right">429</TH>
                  <TH className="text-right">p95</TH>
                </TR>
              </THead>
              <TBody>
                {traffic.procedures.map((p) => (
                  <TR key={p.procedure}>
                    <TD className="font-mono text-xs">{p.procedure}</TD>
                    <TD className="text-right tabular-nums">{p.requests.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{p.status4xx.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{p.status5xx.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{p.status429.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{ms(p.p95Ms)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </>
  );
}

/** Who is behind the traffic, each with the way to stop them. */
function TopCallers({ callers }: { callers: TrafficOutput['callers'] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Top callers</CardTitle>
        <CardDescription>API keys, users and (for anonymous calls) addresses, busiest first over the window.</CardDescription>
      </CardHeader>
      <CardContent>
        {callers.length === 0 ? (
          <EmptyState title="No callers in this window" />
        ) : (
          <Table aria-label="Top callers">
            <THead>
              <TR>
                <TH>Caller</TH>
                <TH className="text-right">Requests</TH>
                <TH className="text-right">4xx</TH>
                <TH className="text-right">5xx</TH>
                <TH className="text-right">429</TH>
                <TH className="text-right">Action</TH>
              </TR>
            </THead>
            <TBody>
              {callers.map((caller) => {
                const row = callerRow(caller);
                return (
                  <TR key={`${caller.kind}:${caller.id}`} data-testid="top-caller" data-kind={caller.kind}>
                    <TD>
                      <span className="font-medium">{row.who}</span>
                      <span className="block text-xs text-muted-foreground">
                        {row.detail}
                        {caller.revoked ? ' · revoked' : ''}
                      </span>
                    </TD>
                    <TD className="text-right tabular-nums">{caller.requests.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{caller.status4xx.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{caller.status5xx.toLocaleString('en')}</TD>
                    <TD className="text-right tabular-nums">{caller.status429.toLocaleString('en')}</TD>
                    <TD className="text-right">
                      {row.action ? (
                        <Button asChild size="sm" variant="outline">
                          <Link href={row.action.href}>{row.action.label}</Link>
                        </Button>
                      ) : null}
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function Stat({ label, value, hint, alert = false }: { label: string; value: string; hint: string; alert?: boolean }) {
  return (
    <Card>
      <CardContent className="pt-6">
        <p className="text-sm text-muted-foreground">{label}</p>
        <p className={alert ? 'text-2xl font-semibold tabular-nums text-status-major-fg' : 'text-2xl font-semibold tabular-nums'}>{value}</p>
        <p className="text-xs text-muted-foreground">{hint}</p>
      </CardContent>
    </Card>
  );
}

function ChartCard({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}
