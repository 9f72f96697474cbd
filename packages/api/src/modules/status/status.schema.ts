import { z } from 'zod';
import { incidentSummaryOutput } from '../incidents/incidents.schema.js';
import { serviceStatus, serviceTier } from '../services/services.schema.js';

export const statusOutput = z
  .object({
    indicator: serviceStatus.describe('The worst status in the fleet; `operational` when all is well.'),
    services: z.array(
      z.object({ slug: z.string(), name: z.string(), tier: serviceTier, status: serviceStatus }),
    ),
    openIncidents: z.array(incidentSummaryOutput),
    generatedAt: z.iso.datetime(),
  })
  .describe('The public status summary: every service and every open incident.');

export type StatusSummary = z.infer<typeof statusOutput>;
