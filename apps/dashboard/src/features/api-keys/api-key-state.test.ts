import { describe, expect, it } from 'vitest';
import { apiKeyState, expiresAtFor } from './api-key-state';

const now = Date.parse('2025-06-01T12:00:00.000Z');

describe('apiKeyState', () => {
  it('is active without expiry or revocation, or with an expiry ahead', () => {
    expect(apiKeyState({ expiresAt: null, revokedAt: null }, now)).toBe('active');
    expect(apiKeyState({ expiresAt: '2025-06-02T00:00:00.000Z', revokedAt: null }, now)).toBe('active');
  });

  it('is expired from the expiry instant on', () => {
    expect(apiKeyState({ expiresAt: '2025-06-01T12:00:00.000Z', revokedAt: null }, now)).toBe('expired');
  });

  it('says revoked even when the key has expired too', () => {
    expect(apiKeyState({ expiresAt: '2025-01-01T00:00:00.000Z', revokedAt: '2024-12-01T00:00:00.000Z' }, now)).toBe('revoked');
  });
});

describe('expiresAtFor', () => {
  it('sends no expiry for never', () => {
    expect(expiresAtFor('never', '', now)).toBeUndefined();
  });

  it('counts days from now', () => {
    expect(expiresAtFor('30d', '', now)).toBe('2025-07-01T12:00:00.000Z');
  });

  it('ends a custom date at the end of that local day', () => {
    const iso = expiresAtFor('custom', '2025-12-24', now) ?? '';
    const end = new Date(iso);
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes()]).toEqual([2025, 11, 24, 23, 59]);
  });

  it('gives the schema an empty value to refuse for a missing or impossible date', () => {
    expect(expiresAtFor('custom', '', now)).toBe('');
    expect(expiresAtFor('custom', '2025-02-30', now)).toBe('');
  });
});
