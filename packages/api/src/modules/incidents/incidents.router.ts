import { createTRPCRouter, publicProcedure } from '../../trpc.js';
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
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/incidents', tags, summary: 'List incidents, newest first' } })
    .input(listIncidentsInput)
    .output(incidentListOutput)
    .query(({ ctx, input }) => listIncidents(ctx, input)),

  create: publicProcedure
    .meta({
      openapi: { method: 'POST', path: '/incidents', tags, summary: 'Declare an incident' },
      successStatus: 201,
    })
    .input(createIncidentInput)
    .output(incidentOutput)
    .mutation(({ ctx, input }) => declareIncident(ctx, input)),

  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/incidents/{id}', tags, summary: 'Get an incident with its timeline' } })
    .input(incidentIdInput)
    .output(incidentOutput)
    .query(({ ctx, input }) => getIncident(ctx, input.id)),

  updates: createTRPCRouter({
    create: publicProcedure
      .meta({
        openapi: { method: 'POST', path: '/incidents/{id}/updates', tags, summary: 'Post a timeline update (status `resolved` closes it)' },
        successStatus: 201,
        errorStatuses: [409],
      })
      .input(createIncidentUpdateInput)
      .output(incidentUpdateOutput)
      .mutation(({ ctx, input }) => postIncidentUpdate(ctx, input)),
  }),
});
