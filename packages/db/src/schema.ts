import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
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
  (t) => [index('heartbeats_service_observed_idx').on(t.serviceId, t.observedAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
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
  (t) => [index('incidents_created_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
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

// ── Identity and access ───────────────────────────────────────────────────────────────────────

export const userRole = pgEnum('user_role', ['admin', 'operator', 'viewer']);

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stored lower-cased; the login name. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  role: userRole('role').notNull(),
  /** argon2id PHC string; never leaves the auth service. */
  passwordHash: text('password_hash').notNull(),
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  /**
   * Access tokens carry the generation they were issued in; a password change moves it on, so the
   * user's older tokens are refused at once instead of living out their 15 minutes.
   */
  accessTokenGeneration: integer('access_token_generation').notNull().default(0),
  /** The one older token still accepted: the one that made the password change (its `jti`). */
  keptAccessTokenId: text('kept_access_token_id'),
  ...timestamps,
});

/**
 * Machine credentials. The secret is shown once; only its SHA-256 is kept (it is 256 random bits,
 * so a slow hash buys nothing) beside a visible prefix used to find the row.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('api_keys_owner_idx').on(t.ownerId, t.createdAt.desc().nullsFirst())],
);

/**
 * One row (id 1) whose `version` triggers move on in the same transaction as any write to `users`
 * or `api_keys` (migration 0010). A credential lookup kept under it is read again as soon as a key
 * or a user changes, on every instance, while the heartbeats and other writes leave it alone.
 */
export const credentialsVersion = pgTable('credentials_version', {
  id: integer('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/** Opaque refresh tokens, stored hashed; every use rotates within a family, reuse revokes it. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Set when the token was exchanged; a second exchange is reuse. */
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId)],
);

/** Dashboard sessions: the cookie holds an opaque secret whose hash is the key here. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** SHA-256 of the CSRF token bound to this session (double-submit, checked on mutations). */
    csrfHash: text('csrf_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * JWT signing keys. Every instance signs with the newest and verifies with any listed, so tokens
 * survive restarts and work across instances. The private JWK is stored as a JWE (`dir`/A256GCM)
 * when a key-encryption secret is configured.
 */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  privateJwk: text('private_jwk').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
});

export const auditResult = pgEnum('audit_result', ['success', 'failure', 'denied']);

/** Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    /** The user's email or the key's name at the time, so the row reads on its own. */
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    target: text('target'),
    result: auditResult('result').notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('audit_log_actor_idx').on(t.actorId, t.at.desc().nullsFirst()),
    index('audit_log_action_idx').on(t.action, t.at.desc().nullsFirst()),
  ],
);

/**
 * Live traffic, as each server instance saw it: one row per (10-second bucket, instance,
 * procedure), rewritten with the running totals every few seconds. The Traffic page sums over
 * instances, so a cluster shows one picture. `latency_counts[i]` counts answers that took at most
 * `TRAFFIC_LATENCY_BOUNDS_MS[i]` (the last slot: longer), so percentiles merge across instances.
 */
export const trafficBuckets = pgTable(
  'traffic_buckets',
  {
    bucketStart: timestamp('bucket_start', { withTimezone: true, mode: 'date' }).notNull(),
    instance: text('instance').notNull(),
    procedure: text('procedure').notNull(),
    requests: integer('requests').notNull(),
    status2xx: integer('status_2xx').notNull(),
    status3xx: integer('status_3xx').notNull(),
    status4xx: integer('status_4xx').notNull(),
    status5xx: integer('status_5xx').notNull(),
    status401: integer('status_401').notNull(),
    status403: integer('status_403').notNull(),
    status429: integer('status_429').notNull(),
    latencyCounts: integer('latency_counts').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucketStart, t.instance, t.procedure] })],
);

/**
 * Who sent the traffic: per (10-second bucket, instance) the busiest callers that instance saw —
 * at most 20 rows each, however many distinct callers there were (the recorder tracks a bounded
 * set in memory). `caller` is `apiKey:<id>`, `user:<id>` or `ip:<address>`; names are looked up
 * when read, so a key's secret or a user's details are never copied here.
 */
export const trafficCallers = pgTable(
  'traffic_callers',
  {
    bucketStart: timestamp('bucket_start', { withTimezone: true, mode: 'date' }).notNull(),
    instance: text('instance').notNull(),
    caller: text('caller').notNull(),
    requests: integer('requests').notNull(),
    status4xx: integer('status_4xx').notNull(),
    status5xx: integer('status_5xx').notNull(),
    status429: integer('status_429').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucketStart, t.instance, t.caller] })],
);

/**
 * Completed idempotent mutations (`Idempotency-Key`), kept at least 24 h so a retry replays the
 * first answer. A row is written in the same transaction as the mutation's own writes, so it exists
 * exactly when the work was committed; a call still running holds a lock instead of a row, so a
 * crash can never leave a key stuck "in progress".
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** Whose key it is (`user:<id>` or `apiKey:<id>`): two callers' keys never collide. */
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    /** The procedure called, e.g. `services.create`. */
    procedure: text('procedure').notNull(),
    /** SHA-256 of the procedure and its canonical input: a reused key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    /**
     * `{ data }`: the procedure's validated output, which each face renders again on replay.
     * `json`, not `jsonb`: it keeps the keys in their order, so a replay is byte-identical.
     */
    response: json('response').$type<{ data?: unknown }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_keys_expires_at_idx').on(t.expiresAt)],
);

// ── Runtime controls ──────────────────────────────────────────────────────────────────────────

/** Who made a control change, as the audit log names actors: kind, id and a readable label. */
const changedBy = {
  changedByKind: text('changed_by_kind').notNull(),
  changedById: text('changed_by_id'),
  changedByLabel: text('changed_by_label'),
  changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull(),
};

export const controlSwitchState = pgEnum('control_switch_state', ['off', 'read-only']);

/**
 * Kill switches and read-only mode: one row per target, which is `*` (the whole API), a module
 * (`incidents`) or a procedure path (`incidents.create`).
 */
export const controlSwitches = pgTable('control_switches', {
  target: text('target').primaryKey(),
  state: controlSwitchState('state').notNull(),
  reason: text('reason'),
  retryAfterSeconds: integer('retry_after_seconds').notNull(),
  ...changedBy,
});

export const controlBlockKind = pgEnum('control_block_kind', ['user', 'apiKey', 'ip']);

/** The block list: a user, an API key, or an IP range (CIDR, stored normalised) denied outright. */
export const controlBlocks = pgTable(
  'control_blocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: controlBlockKind('kind').notNull(),
    value: text('value').notNull(),
    reason: text('reason'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    ...changedBy,
  },
  (t) => [unique('control_blocks_kind_value_unique').on(t.kind, t.value)],
);

/**
 * Per-target rate limits: requests a minute per caller for one module (`incidents`) or procedure
 * (`incidents.create`), counted on top of the class limits in `controls_state`. A separate table
 * rather than a switch state: a module can be throttled and switched off at once.
 */
export const controlTargetLimits = pgTable('control_target_limits', {
  target: text('target').primaryKey(),
  perMinute: integer('per_minute').notNull(),
  reason: text('reason'),
  ...changedBy,
});

export interface StoredRateLimits {
  anonymous: { read: number; write: number; auth: number };
  principal: { read: number; write: number; auth: number };
}

/**
 * One row (id 1): `version` goes up in the same transaction as every control change, so an
 * instance that missed a notification sees the change on its next poll. `rate_limits` null means
 * the defaults the server started with.
 */
export const controlsState = pgTable('controls_state', {
  id: integer('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
  rateLimits: jsonb('rate_limits').$type<StoredRateLimits>(),
  rateLimitsChangedByKind: text('rate_limits_changed_by_kind'),
  rateLimitsChangedById: text('rate_limits_changed_by_id'),
  rateLimitsChangedByLabel: text('rate_limits_changed_by_label'),
  rateLimitsChangedAt: timestamp('rate_limits_changed_at', { withTimezone: true, mode: 'date' }),
});
