import { formatDateTime } from './time';

const ISO_DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * The API's reason sentences carry ISO timestamps (they are meant for machines too); operators
 * read local time. `Last heartbeat reported down at 2025-06-01T12:00:00.000Z.` →
 * `Last heartbeat reported down at 01 Jun, 14:00.` (in the browser's time zone).
 */
export function humanizeDetail(detail: string): string {
  return detail.replace(ISO_DATETIME, (iso) => formatDateTime(iso));
}
