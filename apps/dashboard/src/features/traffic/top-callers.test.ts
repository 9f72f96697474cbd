import type { TrafficByCaller } from '@bastion/api/traffic/schema';
import { describe, expect, it } from 'vitest';
import { blockHref, blockPrefill } from '../controls/block-prefill';
import { callerRow } from './top-callers';

const counts = { requests: 900, status4xx: 10, status5xx: 0, status429: 10 };
const KEY_ID = '0b6f3c1e-8c1f-4f63-9a55-4a3c1f0e2b7d';

function caller(overrides: Partial<TrafficByCaller> & Pick<TrafficByCaller, 'kind' | 'id'>): TrafficByCaller {
  return { name: null, keyPrefix: null, revoked: false, ...counts, ...overrides };
}

describe('callerRow', () => {
  it('sends an API key to the API keys page to revoke it, named by name and prefix', () => {
    const row = callerRow(caller({ kind: 'apiKey', id: KEY_ID, name: 'ci-deploy', keyPrefix: 'bst_ab12' }));
    expect(row).toEqual({ who: 'ci-deploy', detail: 'API key bst_ab12…', action: { label: 'Revoke key', href: `/api-keys?key=${KEY_ID}` } });
  });

  it('offers nothing to do for a key already revoked or deleted', () => {
    expect(callerRow(caller({ kind: 'apiKey', id: KEY_ID, name: 'old', keyPrefix: 'bst_x', revoked: true })).action).toBeNull();
    expect(callerRow(caller({ kind: 'apiKey', id: KEY_ID })).who).toBe('Deleted API key');
  });

  it('sends a user or an address to the block list, prefilled', () => {
    const user = callerRow(caller({ kind: 'user', id: 'u-1', name: 'ops@example.com' }));
    expect(user).toMatchObject({ who: 'ops@example.com', action: { label: 'Block user', href: blockHref('user', 'u-1') } });
    const ip = callerRow(caller({ kind: 'ip', id: '2001:db8::1' }));
    expect(ip).toMatchObject({ who: '2001:db8::1', action: { label: 'Block address' } });
    const href = new URL(ip.action?.href ?? '', 'http://dashboard');
    expect(href.pathname).toBe('/controls');
    expect(blockPrefill(href.searchParams)).toEqual({ kind: 'ip', value: '2001:db8::1' });
  });
});

describe('blockPrefill', () => {
  it('ignores a missing, unknown or oversized prefill', () => {
    expect(blockPrefill(new URLSearchParams(''))).toBeNull();
    expect(blockPrefill(new URLSearchParams({ blockKind: 'service', blockValue: 'x' }))).toBeNull();
    expect(blockPrefill(new URLSearchParams({ blockKind: 'ip', blockValue: '  ' }))).toBeNull();
    expect(blockPrefill(new URLSearchParams({ blockKind: 'ip', blockValue: 'a'.repeat(201) }))).toBeNull();
  });
});
