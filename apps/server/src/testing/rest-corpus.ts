/**
 * One valid request per step, in an order that makes each succeed on an empty database: every
 * REST operation at least once, including list filters and a second page through a cursor.
 * The differential test replays it against trpc-to-openapi's handler and ours; the failure tests
 * take the first request of each operation.
 */
export interface CorpusRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1`; `{name}` stands for a value captured from an earlier response. */
  path: string;
  body?: Record<string, unknown>;
  /** Remember the response body's `field` as `{as}` for later requests. */
  capture?: { field: 'id' | 'nextCursor'; as: string };
}

/** A past instant heartbeats may be backfilled at (the tests' clocks start at 2025-06-01T12:00Z). */
const BACKFILL_AT = '2025-06-01T11:59:00.000Z';

export const REST_CORPUS: readonly CorpusRequest[] = [
  { method: 'POST', path: '/services', body: { slug: 'auth-api', name: 'Auth API', tier: 'critical', owner: 'team-identity', description: 'Logs people in.' } },
  { method: 'POST', path: '/services', body: { slug: 'db', name: 'Database', tier: 'critical' } },
  { method: 'POST', path: '/services', body: { slug: 'payments-api', name: 'Payments API', tier: 'high', dependsOn: ['auth-api', 'db'], heartbeatIntervalSeconds: 30 } },
  { method: 'POST', path: '/services', body: { slug: 'checkout-web', name: 'Checkout', tier: 'high', dependsOn: ['payments-api'] } },
  { method: 'POST', path: '/services', body: { slug: 'docs-site', name: 'Docs', tier: 'low' } },
  { method: 'PATCH', path: '/services/docs-site', body: { owner: 'team-docs', description: 'Public documentation.' } },
  { method: 'POST', path: '/services/auth-api/heartbeats', body: { status: 'up', latencyMs: 12 } },
  { method: 'POST', path: '/services/db/heartbeats', body: { status: 'down', message: 'connection refused' } },
  { method: 'POST', path: '/services/payments-api/heartbeats', body: { status: 'degraded', latencyMs: 900, observedAt: BACKFILL_AT } },
  { method: 'POST', path: '/services/payments-api/heartbeats', body: { status: 'up' } },
  { method: 'GET', path: '/services/payments-api/heartbeats?limit=1', capture: { field: 'nextCursor', as: 'heartbeatCursor' } },
  { method: 'GET', path: '/services/payments-api/heartbeats?limit=1&cursor={heartbeatCursor}' },
  { method: 'GET', path: '/heartbeats/strip?hours=1&buckets=12' },
  { method: 'GET', path: '/heartbeats/strip?service=db' },
  { method: 'GET', path: '/services/payments-api' },
  { method: 'GET', path: '/services/db/blast-radius' },
  { method: 'GET', path: '/services?limit=2', capture: { field: 'nextCursor', as: 'serviceCursor' } },
  { method: 'GET', path: '/services?limit=2&cursor={serviceCursor}' },
  { method: 'GET', path: '/services?tier=critical' },
  { method: 'GET', path: '/services?status=major_outage' },
  { method: 'GET', path: '/services?q=PAY' },
  { method: 'POST', path: '/incidents', body: { title: 'Database down', severity: 'sev1', serviceSlugs: ['db'], message: 'Investigating.' }, capture: { field: 'id', as: 'dbIncident' } },
  { method: 'POST', path: '/incidents', body: { title: 'Slow checkout', severity: 'sev3', serviceSlugs: ['checkout-web', 'payments-api'], message: 'Looking into it.' } },
  { method: 'POST', path: '/incidents/{dbIncident}/updates', body: { status: 'identified', message: 'The disk is full.' } },
  { method: 'GET', path: '/status' },
  { method: 'POST', path: '/incidents/{dbIncident}/updates', body: { status: 'resolved', message: 'Space freed.' } },
  { method: 'GET', path: '/incidents/{dbIncident}' },
  { method: 'GET', path: '/incidents?limit=1', capture: { field: 'nextCursor', as: 'incidentCursor' } },
  { method: 'GET', path: '/incidents?limit=1&cursor={incidentCursor}' },
  { method: 'GET', path: '/incidents?status=open' },
  { method: 'GET', path: '/incidents?severity=sev1' },
  { method: 'GET', path: '/incidents?service=payments-api' },
  { method: 'DELETE', path: '/services/docs-site' },
  { method: 'GET', path: '/services' },
  { method: 'GET', path: '/status' },
];

/**
 * One valid request per identity operation (sign-in, keys, users, audit) and per operation on the
 * server's own live state (traffic), valid on a database seeded by `seedCredentials`. Kept apart
 * from REST_CORPUS: the differential test cannot replay them, since trpc-to-openapi's handler has
 * no credential resolution, session cookies or traffic recorder to compare; the failure tests use
 * both lists.
 */
export const IDENTITY_CORPUS: readonly CorpusRequest[] = [
  { method: 'POST', path: '/auth/session', body: { email: 'admin@bastion.test', password: 'correct-horse-battery-staple' } },
  { method: 'GET', path: '/auth/me' },
  { method: 'POST', path: '/auth/password', body: { currentPassword: 'correct-horse-battery-staple', newPassword: 'a-brand-new-passphrase' } },
  { method: 'DELETE', path: '/auth/session' },
  { method: 'POST', path: '/api-keys', body: { name: 'ci', scopes: ['services:read'] }, capture: { field: 'id', as: 'apiKey' } },
  { method: 'GET', path: '/api-keys' },
  { method: 'DELETE', path: '/api-keys/{apiKey}' },
  { method: 'GET', path: '/users' },
  { method: 'POST', path: '/users', body: { email: 'new@bastion.test', role: 'viewer', password: 'a-long-enough-password' }, capture: { field: 'id', as: 'newUser' } },
  { method: 'PATCH', path: '/users/{newUser}', body: { role: 'operator' } },
  { method: 'GET', path: '/audit' },
  { method: 'GET', path: '/traffic?minutes=5' },
];

/** Every runtime-controls operation, each leaving the controls as it found them. */
export const CONTROLS_CORPUS: readonly CorpusRequest[] = [
  { method: 'GET', path: '/controls' },
  { method: 'PUT', path: '/controls/switches/incidents', body: { state: 'read-only', reason: 'corpus' } },
  { method: 'DELETE', path: '/controls/switches/incidents' },
  { method: 'PUT', path: '/controls/rate-limits', body: { anonymous: { read: 300, write: 300, auth: 300 }, principal: { read: 1200, write: 1200, auth: 1200 } } },
  { method: 'DELETE', path: '/controls/rate-limits' },
  { method: 'PUT', path: '/controls/target-limits/incidents', body: { perMinute: 600, reason: 'corpus' } },
  { method: 'DELETE', path: '/controls/target-limits/incidents' },
  { method: 'POST', path: '/controls/blocks', body: { kind: 'ip', value: '203.0.113.0/24', reason: 'corpus' }, capture: { field: 'id', as: 'block' } },
  { method: 'DELETE', path: '/controls/blocks/{block}' },
];

/** Replaces each `{name}` in a corpus path with its captured value (URL-encoded). */
export function fillPath(path: string, captured: ReadonlyMap<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = captured.get(name);
    if (value === undefined) throw new Error(`corpus path ${path} needs {${name}}, which no earlier response gave`);
    return encodeURIComponent(value);
  });
}

/** `/services/{slug}/heartbeats?limit=1` → `GET /services/{slug}/heartbeats` given the operations' templates. */
export function operationKey(method: string, path: string, templates: readonly string[]): string | undefined {
  const pathname = path.split('?')[0] ?? path;
  const template = templates.find((t) => new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname));
  return template === undefined ? undefined : `${method} ${template}`;
}
