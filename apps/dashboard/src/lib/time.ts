const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A compact duration for operators: `45s`, `12m`, `3h 5m`, `2d 4h`.
 *
 * @example formatDuration(3 * 3_600_000 + 5 * 60_000) // '3h 5m'
 */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < MINUTE) return `${Math.floor(abs / SECOND)}s`;
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)}m`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.floor((abs % HOUR) / MINUTE);
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return h ? `${d}d ${h}h` : `${d}d`;
}

/** `12s ago`, `3h 5m ago`; `just now` under two seconds. */
export function formatAgo(iso: string | number | Date, now: number): string {
  const ms = now - new Date(iso).getTime();
  return ms < 2 * SECOND ? 'just now' : `${formatDuration(ms)} ago`;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** Local wall-clock time, `14:03:22`. */
export function formatTime(iso: string | number | Date): string {
  return timeFormat.format(new Date(iso));
}

/** Local date and time, `01 Jun, 14:03`. */
export function formatDateTime(iso: string | number | Date): string {
  return dateTimeFormat.format(new Date(iso));
}
