import { describe, expect, it } from 'vitest';
import { formatAgo, formatDateTime, formatDuration, formatTime } from './time';

describe('time formatting', () => {
  // Local time on purpose: operators read their own wall clock.
  const at = new Date(2026, 5, 1, 4, 3, 9);

  it('formats a wall-clock time with two digits per field', () => {
    expect(formatTime(at)).toBe('04:03:09');
    expect(formatTime(at.toISOString())).toBe('04:03:09');
    expect(formatTime(new Date(2026, 11, 31, 23, 59, 59).getTime())).toBe('23:59:59');
  });

  it('formats a date and time with the short month name', () => {
    expect(formatDateTime(at)).toBe('01 Jun, 04:03');
    expect(formatDateTime(new Date(2026, 8, 30, 12, 0))).toBe('30 Sep, 12:00');
    expect(formatDateTime(new Date(2027, 0, 2, 0, 7))).toBe('02 Jan, 00:07');
  });

  it('formats durations compactly and ages relative to now', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3h 5m');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe('2d 4h');
    expect(formatDuration(-5)).toBe('0s');
    expect(formatAgo(at, at.getTime() + 1_000)).toBe('just now');
    expect(formatAgo(at, at.getTime() + 12 * 60_000)).toBe('12m ago');
  });
});
