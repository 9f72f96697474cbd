'use client';

import type { TrafficOutput } from '@bastion/api/traffic/schema';
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '@/lib/time';

type Point = TrafficOutput['series'][number];
interface Series {
  key: keyof Point;
  name: string;
  color: string;
}

/** One small time chart of the Traffic page; every chart shares the same axis and tooltip. */
function TimeChart({ data, series, unit, stacked = false }: { data: readonly Point[]; series: readonly Series[]; unit?: string; stacked?: boolean }) {
  const rows = data.map((point) => ({ ...point, t: new Date(point.at).getTime() }));
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={['dataMin', 'dataMax']}
        tickFormatter={(t: number) => formatTime(t).slice(0, 5)}
        stroke="var(--muted-foreground)"
        fontSize={11}
      />
      <YAxis unit={unit} width={64} stroke="var(--muted-foreground)" fontSize={11} allowDecimals={false} />
      <Tooltip
        labelFormatter={(t) => formatTime(Number(t))}
        contentStyle={{ background: 'var(--card)', border: '1px solid var(--border)', borderRadius: 8, fontSize: 12 }}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
    </>
  );
  return (
    <ResponsiveContainer width="100%" height={200}>
      {stacked ? (
        <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          {axes}
          {series.map((s) => (
            <Area key={s.key} dataKey={s.key} name={s.name} stackId="1" stroke={s.color} fill={s.color} fillOpacity={0.35} isAnimationActive={false} />
          ))}
        </AreaChart>
      ) : (
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          {axes}
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} strokeWidth={1.5} dot={false} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      )}
    </ResponsiveContainer>
  );
}

export function RateChart({ data }: { data: readonly Point[] }) {
  return <TimeChart data={data} unit="/s" series={[{ key: 'perSecond', name: 'requests/s', color: 'var(--primary)' }]} />;
}

export function LatencyPercentilesChart({ data }: { data: readonly Point[] }) {
  return (
    <TimeChart
      data={data}
      unit=" ms"
      series={[
        { key: 'p50Ms', name: 'p50', color: 'var(--status-operational)' },
        { key: 'p95Ms', name: 'p95', color: 'var(--status-degraded)' },
        { key: 'p99Ms', name: 'p99', color: 'var(--status-major)' },
      ]}
    />
  );
}

export function StatusClassChart({ data }: { data: readonly Point[] }) {
  return (
    <TimeChart
      data={data}
      stacked
      series={[
        { key: 'status2xx', name: '2xx', color: 'var(--status-operational)' },
        { key: 'status4xx', name: '4xx', color: 'var(--status-partial)' },
        { key: 'status5xx', name: '5xx', color: 'var(--status-major)' },
      ]}
    />
  );
}

export function RefusalsChart({ data }: { data: readonly Point[] }) {
  return (
    <TimeChart
      data={data}
      series={[
        { key: 'status401', name: '401 unauthenticated', color: 'var(--status-degraded)' },
        { key: 'status403', name: '403 forbidden', color: 'var(--status-partial)' },
        { key: 'status429', name: '429 rate limited', color: 'var(--status-major)' },
      ]}
    />
  );
}
