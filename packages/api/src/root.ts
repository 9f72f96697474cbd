import { apiKeysRouter } from './modules/api-keys/api-keys.router.js';
import { auditRouter } from './modules/audit/audit.router.js';
import { controlsRouter } from './modules/controls/controls.router.js';
import { authRouter } from './modules/auth/auth.router.js';
import { heartbeatsRouter } from './modules/heartbeats/heartbeats.router.js';
import { incidentsRouter } from './modules/incidents/incidents.router.js';
import { servicesRouter } from './modules/services/services.router.js';
import { trafficRouter } from './modules/traffic/traffic.router.js';
import { statusRouter } from './modules/status/status.router.js';
import { usersRouter } from './modules/users/users.router.js';
import { createTRPCRouter } from './trpc.js';

export const appRouter = createTRPCRouter({
  services: servicesRouter,
  heartbeats: heartbeatsRouter,
  incidents: incidentsRouter,
  status: statusRouter,
  auth: authRouter,
  apiKeys: apiKeysRouter,
  users: usersRouter,
  audit: auditRouter,
  traffic: trafficRouter,
  controls: controlsRouter,
});

export type AppRouter = typeof appRouter;
