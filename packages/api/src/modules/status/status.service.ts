import type { Database } from '@bastion/db';
import { listIncidents } from '../incidents/incidents.service.js';
import { loadFleet } from '../services/fleet.js';
import { worstStatus } from '../services/service-status.js';
import type { StatusSummary } from './status.schema.js';

/** How many open incidents the public summary lists at most. */
const MAX_OPEN_INCIDENTS = 100;

export async function statusSummary(deps: { db: Database; now: () => Date }): Promise<StatusSummary> {
  const at = deps.now();
  const [fleet, open] = await Promise.all([
    loadFleet(deps.db, at),
    listIncidents(deps, { status: 'open', limit: MAX_OPEN_INCIDENTS }),
  ]);
  const services = fleet.members.map(({ row, derived }) => ({
    slug: row.slug,
    name: row.name,
    tier: row.tier,
    status: derived.status,
  }));
  return {
    indicator: worstStatus(services.map((s) => s.status)),
    services,
    openIncidents: open.items,
    generatedAt: at.toISOString(),
  };
}
