/** What the block list can block; mirrors the API's block kinds. */
export type BlockKind = 'ip' | 'apiKey' | 'user';

const KINDS: readonly BlockKind[] = ['ip', 'apiKey', 'user'];

/**
 * A link to the Controls page with the "Add a block" form filled in, for pages that spot a
 * caller to stop (the Traffic page's top callers). Nothing is blocked until the operator submits.
 *
 * @example blockHref('ip', '203.0.113.9') // '/controls?blockKind=ip&blockValue=203.0.113.9#blocks-title'
 */
export function blockHref(kind: BlockKind, value: string): string {
  return `/controls?${new URLSearchParams({ blockKind: kind, blockValue: value }).toString()}#blocks-title`;
}

/** The prefill a `blockHref` link carries, or null when the URL has none (or a malformed one). */
export function blockPrefill(params: Pick<URLSearchParams, 'get'>): { kind: BlockKind; value: string } | null {
  const kind = KINDS.find((k) => k === params.get('blockKind'));
  const value = params.get('blockValue')?.trim() ?? '';
  if (!kind || value === '' || value.length > 200) return null;
  return { kind, value };
}
