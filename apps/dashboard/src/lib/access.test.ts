import { ROLE_SCOPES } from '@bastion/api/scopes';
import { describe, expect, it } from 'vitest';
import { grantableScopes, hasScopes, visibleNav } from './access';

const viewer = { scopes: ROLE_SCOPES.viewer };
const operator = { scopes: ROLE_SCOPES.operator };
const admin = { scopes: ROLE_SCOPES.admin };

describe('hasScopes', () => {
  it('needs every required scope', () => {
    expect(hasScopes(operator, ['services:write', 'incidents:write'])).toBe(true);
    expect(hasScopes(viewer, ['services:read', 'services:write'])).toBe(false);
  });

  it('lets any signed-in principal through when nothing is required, but nobody unknown', () => {
    expect(hasScopes({ scopes: [] }, [])).toBe(true);
    expect(hasScopes(null, [])).toBe(false);
    expect(hasScopes(undefined, ['services:read'])).toBe(false);
  });
});

describe('visibleNav', () => {
  const labels = (principal: Parameters<typeof visibleNav>[0]) => visibleNav(principal).map((i) => i.label);

  it('shows a viewer the read-only pages only', () => {
    expect(labels(viewer)).toEqual(['Overview', 'Services', 'Incidents', 'API']);
  });

  it('gives an operator traffic, controls and API keys but not users or the audit log', () => {
    expect(labels(operator)).toEqual(['Overview', 'Services', 'Incidents', 'Traffic', 'Controls', 'API keys', 'API']);
  });

  it('shows an admin everything', () => {
    expect(labels(admin)).toEqual(['Overview', 'Services', 'Incidents', 'Traffic', 'Controls', 'API keys', 'Users', 'Audit log', 'API']);
  });

  it('shows nothing before the principal is known', () => {
    expect(labels(null)).toEqual([]);
  });
});

describe('grantableScopes', () => {
  it('offers exactly the principal’s own scopes, in the API’s order', () => {
    expect(grantableScopes({ scopes: ['incidents:read', 'heartbeats:write'] })).toEqual(['heartbeats:write', 'incidents:read']);
    expect(grantableScopes(operator)).not.toContain('users:manage');
    expect(grantableScopes(null)).toEqual([]);
  });
});
