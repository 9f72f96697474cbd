import { createTRPCRouter, procedure } from '../../trpc.js';
import {
  createIncidentInput,
  createIncidentUpdateInput,
  incidentIdInput,
  incidentListOutput,
  incidentOutput,
  incidentUpdateOutput,
  listIncidentsInput,
} from './incidents.schema.js';
import { declareIncident, getIncident, listIncidents, postIncidentUpdate } from './incidents.service.js';

const tags = ['incidents'];

export const incidentsRouter = createTRPCRouter({
  list: procedure
    .meta({ openapi: { method: 'GET', path: '/incidents', tags, summary: 'List incidents, newest first' }, scopes: ['incidents:read'] })
    .input(listIncidentsInput)
    .output(incidentListOutput)
    .query(({ ctx, input }) => listIncidents(ctx, input)),

  create: procedure
    .meta({
      openapi: { method: 'POST', path: '/incidents', tags, summary: 'Declare an incident' },
      scopes: ['incidents:write'],
      successStatus: 201,
    })
    .input(createIncidentInput)
    .output(incidentOutput)
    .mutation(({ ctx, input }) => declareIncident(ctx, input)),

  get: procedure
    .meta({ openapi: { method: 'GET', path: '/incidents/{id}', tags, summary: 'Get an incident with its timeline' }, scopes: ['incidents:read'] })
    .input(incidentIdInput)
    .output(incidentOutput)
    .query(({ ctx, input }) => getIncident(ctx, input.id)),

  updates: createTRPCRouter({
    create: procedure
      .meta({
        openapi: { method: 'POST', path: '/incidents/{id}/updates', tags, summary: 'Post a timeline update (status `resolved` closes it)' },
        scopes: ['incidents:write'],
        successStatus: 201,
        errorStatuses: [409],
      })
      .input(createIncidentUpdateInput)
      .output(incidentUpdateOutput)
      .mutation(({ ctx, input }) => postIncidentUpdate(ctx, input)),
  }),
});
