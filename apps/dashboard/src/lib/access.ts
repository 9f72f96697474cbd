import { ALL_SCOPES, type Scope } from '@bastion/api/scopes';

/** Anything that carries scopes: the signed-in principal from `auth.me`. */
export interface HasScopes {
  scopes: readonly Scope[];
}

/**
 * True when `principal` holds every scope of `required` (none required: any signed-in
 * principal). Only decides what the dashboard shows; the server checks every call itself.
 */
export function hasScopes(principal: HasScopes | null | undefined, required: readonly Scope[]): boolean {
  if (!principal) return false;
  return required.every((scope) => principal.scopes.includes(scope));
}

/** One entry of the main navigation, with the scopes its page needs. */
export interface NavItem {
  href: string;
  label: string;
  scopes: readonly Scope[];
}

export const NAV: readonly NavItem[] = [
  { href: '/', label: 'Overview', scopes: ['services:read', 'incidents:read'] },
  { href: '/services', label: 'Services', scopes: ['services:read'] },
  { href: '/incidents', label: 'Incidents', scopes: ['incidents:read'] },
  { href: '/traffic', label: 'Traffic', scopes: ['traffic:read'] },
  { href: '/controls', label: 'Controls', scopes: ['controls:read'] },
  { href: '/api-keys', label: 'API keys', scopes: ['keys:manage'] },
  { href: '/users', label: 'Users', scopes: ['users:manage'] },
  { href: '/audit', label: 'Audit log', scopes: ['audit:read'] },
  { href: '/api-reference', label: 'API', scopes: [] },
];

/** The navigation entries `principal` can use; none before it is known. */
export function visibleNav(principal: HasScopes | null | undefined, items: readonly NavItem[] = NAV): NavItem[] {
  return items.filter((item) => hasScopes(principal, item.scopes));
}

/** The scopes `principal` may hand to an API key: its own, in the API's order (a key can
 * never do more than its owner). */
export function grantableScopes(principal: HasScopes | null | undefined): Scope[] {
  return principal ? ALL_SCOPES.filter((scope) => principal.scopes.includes(scope)) : [];
}
