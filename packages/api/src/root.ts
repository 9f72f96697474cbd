import { heartbeatsRouter } from './modules/heartbeats/heartbeats.router.js';
import { incidentsRouter } from './modules/incidents/incidents.router.js';
import { servicesRouter } from './modules/services/services.router.js';
import { statusRouter } from './modules/status/status.router.js';
import { createTRPCRouter } from './trpc.js';

export const appRouter = createTRPCRouter({
  services: servicesRouter,
  heartbeats: heartbeatsRouter,
  incidents: incidentsRouter,
  status: statusRouter,
});

export type AppRouter = typeof appRouter;
