import type { TrafficByCaller } from '@bastion/api/traffic/schema';
import { blockHref } from '../controls/block-prefill';

export interface CallerRow {
  /** Who, as an operator recognises them: key name, email, or address. */
  who: string;
  /** What identifies them further: the key's prefix (never its secret), or the kind of caller. */
  detail: string;
  /** What the operator does about a flood from them, on the page where it is done. */
  action: { label: string; href: string } | null;
}

/**
 * How the Traffic page shows one top caller and where it sends the operator: an API key to the
 * API keys page to revoke it, a user or an address to the Controls page's block list.
 */
export function callerRow(caller: TrafficByCaller): CallerRow {
  switch (caller.kind) {
    case 'apiKey':
      return {
        who: caller.name ?? 'Deleted API key',
        detail: caller.keyPrefix ? `API key ${caller.keyPrefix}…` : `API key ${caller.id.slice(0, 8)}…`,
        action: caller.revoked || caller.name === null ? null : { label: 'Revoke key', href: `/api-keys?${new URLSearchParams({ key: caller.id }).toString()}` },
      };
    case 'user':
      return { who: caller.name ?? caller.id, detail: 'User', action: { label: 'Block user', href: blockHref('user', caller.id) } };
    case 'ip':
      return { who: caller.id, detail: 'Anonymous address', action: { label: 'Block address', href: blockHref('ip', caller.id) } };
  }
}
