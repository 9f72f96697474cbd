import { createServiceInput, type Service } from '@bastion/api/services/schema';
import { describe, expect, it } from 'vitest';
import { validate } from '@/lib/form-errors';
import { EMPTY_SERVICE, serviceToValues, serviceValuesToInput } from './service-form';
import { layoutGraph } from './graph-layout';

describe('service form values', () => {
  it('leaves out an empty interval so the schema default applies', () => {
    const input = serviceValuesToInput({ ...EMPTY_SERVICE, slug: ' billing-api ', name: 'Billing', heartbeatIntervalSeconds: '' });
    expect(input).not.toHaveProperty('heartbeatIntervalSeconds');
    expect(input.slug).toBe('billing-api');
    expect(validate(createServiceInput, input).success).toBe(true);
  });

  it('sends the interval as a number for the schema to judge', () => {
    const result = validate(createServiceInput, serviceValuesToInput({ ...EMPTY_SERVICE, slug: 'x-1', name: 'X', heartbeatIntervalSeconds: '2' }));
    expect(result.success).toBe(false);
    if (!result.success) expect(result.errors.map((e) => e.pointer)).toEqual(['/heartbeatIntervalSeconds']);
  });

  it('round-trips an existing service', () => {
    const service = {
      slug: 'auth-api',
      name: 'Auth',
      description: 'd',
      owner: 'o',
      tier: 'critical',
      dependsOn: ['db'],
      heartbeatIntervalSeconds: 30,
    } as Service;
    expect(serviceValuesToInput(serviceToValues(service))).toEqual({
      slug: 'auth-api',
      name: 'Auth',
      description: 'd',
      owner: 'o',
      tier: 'critical',
      dependsOn: ['db'],
      heartbeatIntervalSeconds: 30,
    });
  });
});

describe('dependency graph layout', () => {
  const fleet = new Map(
    [
      { slug: 'db', dependsOn: [] },
      { slug: 'auth', dependsOn: ['db'] },
      { slug: 'payments', dependsOn: ['auth', 'db'] },
      { slug: 'checkout', dependsOn: ['payments', 'auth'] },
    ].map((s) => [s.slug, s]),
  );

  it('puts callers left by depth, dependencies right, and marks blast edges', () => {
    const layout = layoutGraph('auth', fleet, new Map([['payments', 1], ['checkout', 1]]));
    const column = Object.fromEntries(layout.nodes.map((n) => [n.slug, n.column]));
    expect(column).toEqual({ auth: 0, payments: -1, checkout: -1, db: 1 });
    const blast = layout.edges.filter((e) => e.blast).map((e) => `${e.from}->${e.to}`).sort();
    expect(blast).toEqual(['checkout->auth', 'checkout->payments', 'payments->auth']);
    expect(layout.edges.some((e) => e.from === 'payments' && e.to === 'db')).toBe(false);
  });
});
