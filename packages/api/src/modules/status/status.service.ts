import { snapshotKeptFor, type Database } from '@bastion/db';
import { newestOpenIncidentSummaries } from '../incidents/incidents.service.js';
import { loadFleet } from '../services/fleet.js';
import { worstStatus } from '../services/service-status.js';
import type { StatusSummary } from './status.schema.js';

/** How many open incidents the public summary lists at most. */
const MAX_OPEN_INCIDENTS = 100;

/**
 * The summary is what status widgets poll, so the open incidents are read again only once
 * something has committed, as the fleet is (`snapshotKeptFor`: each call still sees its own writes).
 */
const openIncidents = snapshotKeptFor((db) => newestOpenIncidentSummaries(db, MAX_OPEN_INCIDENTS));

export async function statusSummary(deps: { db: Database; now: () => Date }): Promise<StatusSummary> {
  const at = deps.now();
  const [fleet, open] = await Promise.all([
    loadFleet(deps.db, at),
    openIncidents(deps.db),
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
    openIncidents: open,
    generatedAt: at.toISOString(),
  };
}
