import { listAuditInput } from '@bastion/api/audit/schema';
import { describe, expect, it } from 'vitest';
import { filtersFromParams, filtersToSearch, toListInput } from './audit-filters';

describe('audit filters', () => {
  it('reads the URL, dropping an unknown result and an unreadable time', () => {
    const params = new URLSearchParams('actor=%20abc%20&action=auth.login&result=maybe&from=yesterday&to=2025-06-01T14:30');
    expect(filtersFromParams(params)).toEqual({ actor: 'abc', action: 'auth.login', result: '', from: '', to: '2025-06-01T14:30' });
  });

  it('writes only the filters that are set, and reads them back the same', () => {
    const filters = { actor: '', action: 'services.create', result: 'denied' as const, from: '2025-06-01T00:00', to: '' };
    const search = filtersToSearch(filters);
    expect(search).toBe('action=services.create&result=denied&from=2025-06-01T00%3A00');
    expect(filtersFromParams(new URLSearchParams(search))).toEqual(filters);
  });

  it('builds an input the API’s own schema accepts, with local times as instants', () => {
    const input = toListInput({ actor: 'u1', action: 'auth.login', result: 'failure', from: '2025-06-01T10:00', to: '' }, 'cur', 25);
    expect(input).toEqual({
      limit: 25,
      cursor: 'cur',
      actor: 'u1',
      action: 'auth.login',
      result: 'failure',
      from: new Date('2025-06-01T10:00').toISOString(),
    });
    expect(listAuditInput.safeParse(input).success).toBe(true);
  });

  it('asks for the first page with no filters at all', () => {
    expect(toListInput({ actor: '', action: '', result: '', from: '', to: '' }, undefined, 25)).toEqual({ limit: 25 });
  });
});
