'use client';

import type { Heartbeat } from '@bastion/api/heartbeats/schema';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDateTime, formatTime } from '@/lib/time';

const STATUS_COLOR: Record<Heartbeat['status'], string> = {
  up: 'var(--status-operational)',
  degraded: 'var(--status-degraded)',
  down: 'var(--status-major)',
};

interface Point {
  t: number;
  latencyMs: number | null;
  status: Heartbeat['status'];
}

/**
 * Latency of the latest heartbeats, each dot coloured by what the monitor reported. Loaded on
 * demand (Recharts is the heaviest dependency; the overview never pays for it).
 */
export default function LatencyChart({ heartbeats }: { heartbeats: readonly Heartbeat[] }) {
  const data: Point[] = heartbeats
    .map((h) => ({ t: new Date(h.observedAt).getTime(), latencyMs: h.latencyMs, status: h.status }))
    .sort((a, b) => a.t - b.t);
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
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
        <YAxis unit=" ms" width={64} stroke="var(--muted-foreground)" fontSize={11} />
        <Tooltip
          labelFormatter={(t) => formatDateTime(Number(t))}
          formatter={(value) => [`${String(value)} ms`, 'Latency']}
          contentStyle={{ background: 'var(--card)', border: '1px solid var(--border)', borderRadius: 8, fontSize: 12 }}
        />
        <Line
          type="linear"
          dataKey="latencyMs"
          stroke="var(--primary)"
          strokeWidth={1.5}
          connectNulls
          isAnimationActive={false}
          dot={(props: { cx?: number; cy?: number; index?: number; payload?: Point }) => (
            <circle
              key={props.index}
              cx={props.cx}
              cy={props.cy}
              r={props.payload?.status === 'up' ? 2.5 : 4}
              fill={props.payload ? STATUS_COLOR[props.payload.status] : 'transparent'}
            />
          )}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
