import { z } from 'zod';
import { createTRPCRouter, procedure } from '../../trpc.js';
import {
  blastRadiusOutput,
  createServiceInput,
  listServicesInput,
  serviceListOutput,
  serviceOutput,
  serviceSlugInput,
  updateServiceInput,
} from './services.schema.js';
import {
  blastRadius,
  createService,
  deleteService,
  getService,
  listServices,
  updateService,
} from './services.service.js';

const tags = ['services'];

export const servicesRouter = createTRPCRouter({
  list: procedure
    .meta({ openapi: { method: 'GET', path: '/services', tags, summary: 'List services' }, scopes: ['services:read'] })
    .input(listServicesInput)
    .output(serviceListOutput)
    .query(({ ctx, input }) => listServices(ctx, input)),

  create: procedure
    .meta({
      openapi: { method: 'POST', path: '/services', tags, summary: 'Add a service to the catalogue' },
      scopes: ['services:write'],
      successStatus: 201,
      errorStatuses: [409],
    })
    .input(createServiceInput)
    .output(serviceOutput)
    .mutation(({ ctx, input }) => createService(ctx, input)),

  get: procedure
    .meta({ openapi: { method: 'GET', path: '/services/{slug}', tags, summary: 'Get a service with its status' }, scopes: ['services:read'] })
    .input(serviceSlugInput)
    .output(serviceOutput)
    .query(({ ctx, input }) => getService(ctx, input.slug)),

  update: procedure
    .meta({ openapi: { method: 'PATCH', path: '/services/{slug}', tags, summary: 'Change a service' }, scopes: ['services:write'] })
    .input(updateServiceInput)
    .output(serviceOutput)
    .mutation(({ ctx, input }) => updateService(ctx, input)),

  delete: procedure
    .meta({
      openapi: { method: 'DELETE', path: '/services/{slug}', tags, summary: 'Remove a service nobody depends on' },
      scopes: ['services:write'],
      successStatus: 204,
      errorStatuses: [409],
    })
    .input(serviceSlugInput)
    .output(z.void())
    .mutation(({ ctx, input }) => deleteService(ctx, input.slug)),

  blastRadius: procedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/services/{slug}/blast-radius',
        tags,
        summary: 'Services that would be hit if this one failed',
      },
      scopes: ['services:read'],
    })
    .input(serviceSlugInput)
    .output(blastRadiusOutput)
    .query(({ ctx, input }) => blastRadius(ctx, input.slug)),
});
