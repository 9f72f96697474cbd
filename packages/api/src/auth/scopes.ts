import { z } from 'zod';

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
  'controls:write': 'Operate resilience controls.',
} as const satisfies Record<string, string>;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export const scopeSchema = z
  .enum(ALL_SCOPES as [Scope, ...Scope[]])
  .describe('A permission; a role is a set of scopes.')
  .meta({ examples: ['services:read'] });

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES).describe('admin: everything · operator: run the fleet · viewer: read only.');

const VIEWER: Scope[] = ['services:read', 'incidents:read'];
const OPERATOR: Scope[] = [...VIEWER, 'services:write', 'heartbeats:write', 'incidents:write', 'keys:manage', 'controls:write'];

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
