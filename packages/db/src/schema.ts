import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const serviceTier = pgEnum('service_tier', ['critical', 'high', 'medium', 'low']);
export const heartbeatStatus = pgEnum('heartbeat_status', ['up', 'degraded', 'down']);
export const incidentSeverity = pgEnum('incident_severity', ['sev1', 'sev2', 'sev3', 'sev4']);
export const incidentStatus = pgEnum('incident_status', [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
]);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

export const services = pgTable('services', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  owner: text('owner').notNull().default(''),
  tier: serviceTier('tier').notNull(),
  heartbeatIntervalSeconds: integer('heartbeat_interval_seconds').notNull().default(60),
  ...timestamps,
});

/** An edge of the service graph: `serviceId` calls `dependsOnId`. */
export const serviceDependencies = pgTable(
  'service_dependencies',
  {
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    dependsOnId: uuid('depends_on_id')
      .notNull()
      .references(() => services.id, { onDelete: 'restrict' }),
  },
  (t) => [
    primaryKey({ columns: [t.serviceId, t.dependsOnId] }),
    index('service_dependencies_depends_on_idx').on(t.dependsOnId),
    check('service_dependencies_no_self_loop', sql`${t.serviceId} <> ${t.dependsOnId}`),
  ],
);

export const heartbeats = pgTable(
  'heartbeats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    status: heartbeatStatus('status').notNull(),
    latencyMs: integer('latency_ms'),
    message: text('message'),
    observedAt: timestamp('observed_at', { withTimezone: true, mode: 'date' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('heartbeats_service_observed_idx').on(t.serviceId, t.observedAt.desc(), t.id.desc())],
);

export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    severity: incidentSeverity('severity').notNull(),
    status: incidentStatus('status').notNull().default('investigating'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [index('incidents_created_idx').on(t.createdAt.desc(), t.id.desc())],
);

/**
 * Services an incident touches, by slug: an incident is a historical record and keeps naming
 * the services it touched even after one of them is deleted from the catalogue.
 */
export const incidentServices = pgTable(
  'incident_services',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    serviceSlug: text('service_slug').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.serviceSlug] }),
    index('incident_services_slug_idx').on(t.serviceSlug),
  ],
);

export const incidentUpdates = pgTable(
  'incident_updates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    status: incidentStatus('status').notNull(),
    message: text('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('incident_updates_incident_idx').on(t.incidentId, t.createdAt)],
);
