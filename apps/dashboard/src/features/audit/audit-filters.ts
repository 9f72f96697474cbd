import type { ListAuditInput } from '@bastion/api/audit/schema';

export type AuditResult = NonNullable<ListAuditInput['result']>;
export const AUDIT_RESULTS: readonly AuditResult[] = ['success', 'failure', 'denied'];

/**
 * The audit page's filters as the URL keeps them: `actor` (a user or key id), `action`
 * (`services.create`), `result`, and `from`/`to` as `datetime-local` values (`2025-06-01T14:30`,
 * the browser's time zone).
 */
export interface AuditFilters {
  actor: string;
  action: string;
  result: AuditResult | '';
  from: string;
  to: string;
}

export const FILTER_KEYS = ['actor', 'action', 'result', 'from', 'to'] as const satisfies readonly (keyof AuditFilters)[];

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;

/** Reads the filters from the URL; unknown results and unreadable times are dropped. */
export function filtersFromParams(params: Pick<URLSearchParams, 'get'>): AuditFilters {
  const result = params.get('result') ?? '';
  const time = (key: 'from' | 'to') => {
    const value = params.get(key) ?? '';
    return LOCAL_DATETIME.test(value) && !Number.isNaN(new Date(value).getTime()) ? value : '';
  };
  return {
    actor: (params.get('actor') ?? '').trim(),
    action: (params.get('action') ?? '').trim(),
    result: AUDIT_RESULTS.find((r) => r === result) ?? '',
    from: time('from'),
    to: time('to'),
  };
}

/** The query string for `filters` (empty filters left out). */
export function filtersToSearch(filters: AuditFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  return params.toString();
}

/**
 * The `audit.list` input for `filters` and a page `cursor`; local times become ISO 8601 instants.
 *
 * @example toListInput({ actor: '', action: 'auth.login', result: '', from: '', to: '' }, undefined, 25)
 * // { limit: 25, action: 'auth.login' }
 */
export function toListInput(filters: AuditFilters, cursor: string | undefined, limit: number): ListAuditInput {
  return {
    limit,
    ...(cursor ? { cursor } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.result ? { result: filters.result } : {}),
    ...(filters.from ? { from: new Date(filters.from).toISOString() } : {}),
    ...(filters.to ? { to: new Date(filters.to).toISOString() } : {}),
  };
}
