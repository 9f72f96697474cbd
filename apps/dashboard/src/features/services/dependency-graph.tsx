'use client';

import type { Service } from '@bastion/api/services/schema';
import { useRouter } from 'next/navigation';
import type { MouseEvent } from 'react';
import { cn } from '@/lib/cn';
import { STATUS_LOOK } from '@/lib/status';
import { layoutGraph, type GraphNode } from './graph-layout';

const NODE_W = 176;
const NODE_H = 46;
const COL_GAP = 72;
const ROW_GAP = 14;
const PAD = 12;

/** SVG fill classes per status (Tailwind's `fill-*` works on SVG shapes). */
const STATUS_FILL: Record<Service['status'], string> = {
  operational: 'fill-status-operational',
  unknown: 'fill-status-unknown',
  degraded: 'fill-status-degraded',
  partial_outage: 'fill-status-partial',
  major_outage: 'fill-status-major',
};

/**
 * The service between what depends on it (left, its blast radius, outlined red) and what it
 * depends on (right). Nodes are links; arrows point from caller to callee.
 */
export function DependencyGraph({
  service,
  fleet,
  blastDepths,
}: {
  service: Service;
  fleet: ReadonlyMap<string, Service>;
  blastDepths: ReadonlyMap<string, number>;
}) {
  const router = useRouter();
  const layout = layoutGraph(service.slug, fleet, blastDepths);
  const minColumn = layout.columns[0] ?? 0;
  const x = (column: number) => PAD + (column - minColumn) * (NODE_W + COL_GAP);
  const y = (row: number) => PAD + row * (NODE_H + ROW_GAP);
  const width = PAD * 2 + layout.columns.length * NODE_W + (layout.columns.length - 1) * COL_GAP;
  const height = PAD * 2 + layout.rows * NODE_H + (layout.rows - 1) * ROW_GAP;
  const position = new Map(layout.nodes.map((n) => [n.slug, n]));

  function go(event: MouseEvent, slug: string) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    router.push(`/services/${slug}`);
  }

  return (
    <div className="overflow-x-auto">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label={`Dependency graph of ${service.name}: ${blastDepths.size} services depend on it, shown left; what it depends on is shown right.`}
        className="mx-auto block"
        data-testid="dependency-graph"
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="fill-muted-foreground" />
          </marker>
          <marker id="arrow-blast" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="fill-status-major" />
          </marker>
        </defs>
        {layout.edges.map((edge) => {
          const from = position.get(edge.from);
          const to = position.get(edge.to);
          if (!from || !to) return null;
          return <Edge key={`${edge.from}->${edge.to}`} from={from} to={to} blast={edge.blast} x={x} y={y} />;
        })}
        {layout.nodes.map((node) => {
          const s = fleet.get(node.slug) ?? (node.slug === service.slug ? service : undefined);
          if (!s) return null;
          const blast = node.side === 'downstream';
          const center = node.side === 'center';
          const relation = center
            ? 'the service shown on this page'
            : blast
              ? `depends on it${node.depth > 1 ? ` through ${node.depth - 1} other service${node.depth > 2 ? 's' : ''}` : ' directly'}`
              : `it depends on this${node.depth > 1 ? ' indirectly' : ' directly'}`;
          const nameText = truncate(s.name, 20);
          const statusText = `${truncate(STATUS_LOOK[s.status].label, 24)}${center ? ' · this service' : ''}`;
          return (
            <a
              key={node.slug}
              href={`/services/${node.slug}`}
              onClick={(e) => { go(e, node.slug); }}
              data-graph-node={node.slug}
              data-side={node.side}
              className="group focus:outline-none"
            >
              {/* The name comes from the visible text (so speech input matches it); the relation is the description. */}
              <desc>{relation}</desc>
              <rect
                x={x(node.column)}
                y={y(node.row)}
                width={NODE_W}
                height={NODE_H}
                rx={8}
                className={cn(
                  'stroke-border transition-colors group-hover:fill-muted group-focus-visible:stroke-ring',
                  center ? 'fill-accent stroke-primary' : 'fill-card',
                  blast && 'fill-status-major/10 stroke-status-major',
                )}
                strokeWidth={center || blast ? 2 : 1}
                strokeDasharray={blast && node.depth > 1 ? '5 3' : undefined}
              />
              <circle cx={x(node.column) + 14} cy={y(node.row) + NODE_H / 2} r={5} className={STATUS_FILL[s.status]} />
              <text x={x(node.column) + 26} y={y(node.row) + 19} className="fill-foreground text-[12px] font-medium">
                {nameText}
              </text>
              <text x={x(node.column) + 26} y={y(node.row) + 35} className="fill-muted-foreground text-[10.5px]">
                {statusText}
              </text>
            </a>
          );
        })}
      </svg>
    </div>
  );
}

function Edge({
  from,
  to,
  blast,
  x,
  y,
}: {
  from: GraphNode;
  to: GraphNode;
  blast: boolean;
  x: (column: number) => number;
  y: (row: number) => number;
}) {
  const fy = y(from.row) + NODE_H / 2;
  const ty = y(to.row) + NODE_H / 2;
  let d: string;
  if (from.column === to.column) {
    // Same column (two callers at the same depth calling each other): an arc on the right.
    const right = x(from.column) + NODE_W;
    d = `M ${right} ${fy} C ${right + 40} ${fy}, ${right + 40} ${ty}, ${right + 2} ${ty}`;
  } else {
    const forward = from.column < to.column;
    const sx = forward ? x(from.column) + NODE_W : x(from.column);
    const ex = forward ? x(to.column) - 2 : x(to.column) + NODE_W + 2;
    const mid = (sx + ex) / 2;
    d = `M ${sx} ${fy} C ${mid} ${fy}, ${mid} ${ty}, ${ex} ${ty}`;
  }
  return (
    <path
      d={d}
      fill="none"
      className={blast ? 'stroke-status-major' : 'stroke-muted-foreground/60'}
      strokeWidth={blast ? 1.75 : 1.25}
      markerEnd={blast ? 'url(#arrow-blast)' : 'url(#arrow)'}
    />
  );
}

function truncate(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
