/**
 * Scopes and roles as plain data, without zod: the dashboard's header imports this file on every
 * page, and zod would add ~30 kB gzipped to each page's first load. The zod schemas of these
 * values live in `scope-schemas.ts`.
 */

/** Every scope the API knows, with the sentence the docs and the Authorize dialog show. */
export const SCOPES = {
  'services:read': 'Read the service catalogue, statuses and heartbeats.',
  'services:write': 'Add, change and remove services.',
  'heartbeats:write': 'Report heartbeats (monitors).',
  'incidents:read': 'Read incidents and their timelines.',
  'incidents:write': 'Declare incidents and post updates.',
  'keys:manage': 'Create, list and revoke API keys.',
  'users:manage': 'Invite users, change roles, disable accounts; see every API key.',
  'audit:read': 'Read the audit log.',
  'controls:read': 'See the runtime controls: kill switches, read-only mode, rate limits, the block list and who changed them.',
  'controls:write': 'Change the runtime controls: switch modules off, make the API read-only, set rate limits, block callers.',
  'traffic:read': 'Watch live traffic: request rates, latency and errors.',
} as const satisfies Record<string, string>;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const VIEWER: Scope[] = ['services:read', 'incidents:read'];
const OPERATOR: Scope[] = [...VIEWER, 'services:write', 'heartbeats:write', 'incidents:write', 'keys:manage', 'controls:read', 'controls:write', 'traffic:read'];

/** What each role may do. A token or key carries a subset of its owner's role's scopes. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: ALL_SCOPES,
};

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** The scopes of `requested` that `allowed` grants, in canonical order. */
export function intersectScopes(requested: readonly string[], allowed: readonly Scope[]): Scope[] {
  return ALL_SCOPES.filter((s) => requested.includes(s) && allowed.includes(s));
}
