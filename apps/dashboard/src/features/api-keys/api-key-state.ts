import type { ApiKey } from '@bastion/api/api-keys/schema';

export type ApiKeyState = 'active' | 'expired' | 'revoked';

/** Whether a key works right now: revoked beats expired, and an expiry at `now` has passed. */
export function apiKeyState(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>, now: number): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

/** The expiries the form offers; `custom` asks for a date. */
export const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never', days: null },
  { value: '7d', label: '7 days', days: 7 },
  { value: '30d', label: '30 days', days: 30 },
  { value: '90d', label: '90 days', days: 90 },
  { value: '365d', label: '1 year', days: 365 },
  { value: 'custom', label: 'On a date…', days: null },
] as const;

export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];

const DAY_MS = 86_400_000;

/**
 * The `expiresAt` to send for a choice: undefined for never; `days` from `now`; for a custom
 * date (`YYYY-MM-DD`, as a date input gives it) the end of that day in the browser's time zone;
 * `''` for a missing or unreadable date, which the API's schema refuses on `/expiresAt`.
 */
export function expiresAtFor(choice: ExpiryChoice, customDate: string, now: number): string | undefined {
  if (choice === 'never') return undefined;
  if (choice === 'custom') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDate);
    if (!match) return '';
    const [, y, m, d] = match.map(Number) as [number, number, number, number];
    const end = new Date(y, m - 1, d, 23, 59, 59, 999);
    return Number.isNaN(end.getTime()) || end.getMonth() !== m - 1 ? '' : end.toISOString();
  }
  const days = EXPIRY_CHOICES.find((c) => c.value === choice)?.days ?? 0;
  return new Date(now + days * DAY_MS).toISOString();
}
