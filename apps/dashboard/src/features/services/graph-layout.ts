/** What the graph needs of a service. */
export interface GraphService {
  slug: string;
  dependsOn: readonly string[];
}

export interface GraphNode {
  slug: string;
  /** 0 = the service itself; negative = depends on it (callers, `-depth`); positive = it depends on them. */
  column: number;
  row: number;
  /** Hops from the centre service. */
  depth: number;
  side: 'center' | 'downstream' | 'upstream';
}

export interface GraphEdge {
  /** The caller. */
  from: string;
  /** The service it calls. */
  to: string;
  /** True when the edge carries the blast: the caller is hit if `to` fails. */
  blast: boolean;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  columns: number[];
  rows: number;
}

/**
 * Lays out a service's neighbourhood in columns: the services that depend on it (its blast
 * radius, by depth) to the left, the service in the middle, what it depends on (transitively,
 * by depth) to the right. Edges point from caller to callee; cross edges between the two sides
 * are left out to keep the picture readable.
 *
 * @param blastDepths slug → depth from `services.blastRadius` (the API's word on who is hit).
 */
export function layoutGraph(
  center: string,
  fleet: ReadonlyMap<string, GraphService>,
  blastDepths: ReadonlyMap<string, number>,
): GraphLayout {
  const upstream = new Map<string, number>();
  const queue: string[] = [center];
  const seen = new Set([center]);
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const depth = current === center ? 0 : (upstream.get(current) ?? 0);
    for (const dependency of fleet.get(current)?.dependsOn ?? []) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      upstream.set(dependency, depth + 1);
      queue.push(dependency);
    }
  }

  const nodes: GraphNode[] = [{ slug: center, column: 0, row: 0, depth: 0, side: 'center' }];
  for (const [slug, depth] of blastDepths) {
    if (slug !== center) nodes.push({ slug, column: -depth, row: 0, depth, side: 'downstream' });
  }
  for (const [slug, depth] of upstream) {
    if (!blastDepths.has(slug)) nodes.push({ slug, column: depth, row: 0, depth, side: 'upstream' });
  }

  const byColumn = new Map<number, GraphNode[]>();
  for (const node of nodes) byColumn.set(node.column, [...(byColumn.get(node.column) ?? []), node]);
  for (const column of byColumn.values()) {
    column.sort((a, b) => a.slug.localeCompare(b.slug));
    column.forEach((node, index) => {
      node.row = index;
    });
  }

  const sideOf = new Map(nodes.map((n) => [n.slug, n.side]));
  const edges: GraphEdge[] = [];
  for (const node of nodes) {
    for (const to of fleet.get(node.slug)?.dependsOn ?? []) {
      const toSide = sideOf.get(to);
      if (!toSide) continue;
      const crosses = (node.side === 'downstream' && toSide === 'upstream') || (node.side === 'upstream' && toSide === 'downstream');
      if (crosses) continue;
      edges.push({ from: node.slug, to, blast: node.side === 'downstream' });
    }
  }

  const columns = [...byColumn.keys()].sort((a, b) => a - b);
  const rows = Math.max(...[...byColumn.values()].map((c) => c.length));
  return { nodes, edges, columns, rows };
}
