import { z } from 'zod';
import { cursorInput, limitInput, pageOutput } from '../../common/pagination.js';
import { slugSchema } from '../services/services.schema.js';

export const incidentSeverity = z
  .enum(['sev1', 'sev2', 'sev3', 'sev4'])
  .describe('sev1 = major outage … sev4 = minor; drives the status of affected services.');
export const incidentStatus = z
  .enum(['investigating', 'identified', 'monitoring', 'resolved'])
  .describe('Where the response stands; `resolved` closes the incident.');

export const createIncidentInput = z.strictObject({
  title: z.string().trim().min(1, 'A title is required.').max(200).describe('What is happening, in a line.').meta({ examples: ['Checkout failing for card payments'] }),
  severity: incidentSeverity,
  serviceSlugs: z
    .array(slugSchema)
    .min(1, 'Name at least one affected service.')
    .max(100)
    .describe('Slugs of the affected services.')
    .meta({ examples: [['payments-api']] }),
  message: z.string().trim().min(1, 'A first message is required.').max(5000).describe('The first timeline entry.').meta({ examples: ['We are investigating elevated error rates.'] }),
});

export const incidentIdInput = z.object({ id: z.uuid().describe('Incident id.') });

export const createIncidentUpdateInput = z.strictObject({
  id: z.uuid().describe('Incident id.'),
  status: incidentStatus,
  message: z.string().trim().min(1, 'A message is required.').max(5000).meta({ examples: ['A fix is being rolled out.'] }),
});

export const listIncidentsInput = z.object({
  status: z
    .enum(['open', 'investigating', 'identified', 'monitoring', 'resolved'])
    .optional()
    .describe('`open` = anything not resolved.'),
  severity: incidentSeverity.optional(),
  service: slugSchema.optional().describe('Only incidents touching this service.'),
  limit: limitInput,
  cursor: cursorInput,
});

export const incidentUpdateOutput = z
  .object({
    id: z.uuid(),
    incidentId: z.uuid(),
    status: incidentStatus,
    message: z.string(),
    createdAt: z.iso.datetime(),
  })
  .describe('One entry of an incident’s timeline.');

export const incidentSummaryOutput = z.object({
  id: z.uuid(),
  title: z.string(),
  severity: incidentSeverity,
  status: incidentStatus,
  serviceSlugs: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
});

export const incidentOutput = incidentSummaryOutput
  .extend({ updates: z.array(incidentUpdateOutput).describe('The timeline, oldest first.') })
  .describe('An incident with its timeline.');

export const incidentListOutput = pageOutput(incidentSummaryOutput).describe('Newest first.');

export type Incident = z.infer<typeof incidentOutput>;
export type IncidentSummary = z.infer<typeof incidentSummaryOutput>;
export type IncidentUpdate = z.infer<typeof incidentUpdateOutput>;
export type CreateIncidentInput = z.infer<typeof createIncidentInput>;
export type CreateIncidentUpdateInput = z.infer<typeof createIncidentUpdateInput>;
export type ListIncidentsInput = z.infer<typeof listIncidentsInput>;
