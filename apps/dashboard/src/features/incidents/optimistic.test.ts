import type { Incident } from '@bastion/api/incidents/schema';
import { describe, expect, it } from 'vitest';
import { withUpdate } from './incident-detail';

const incident: Incident = {
  id: '00000000-0000-4000-8000-000000000001',
  title: 'Checkout failing',
  severity: 'sev1',
  status: 'investigating',
  serviceSlugs: ['payments-api'],
  createdAt: '2025-06-01T12:00:00.000Z',
  updatedAt: '2025-06-01T12:00:00.000Z',
  resolvedAt: null,
  updates: [],
};

describe('optimistic incident updates', () => {
  it('appends the update and moves the incident to its status at once', () => {
    const at = new Date('2025-06-01T12:30:00.000Z');
    const next = withUpdate(incident, { status: 'resolved', message: 'Fixed.' }, at);
    expect(next.status).toBe('resolved');
    expect(next.resolvedAt).toBe(at.toISOString());
    expect(next.updates.at(-1)).toMatchObject({ status: 'resolved', message: 'Fixed.', createdAt: at.toISOString() });
    expect(incident.updates).toHaveLength(0);
  });
});
