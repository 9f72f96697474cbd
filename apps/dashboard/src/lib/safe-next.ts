/** Where the sign-in page lives; it never sends anyone back to itself. */
export const LOGIN_PATH = '/login';

const BASE = 'http://bastion.invalid';

/**
 * The page to open after signing in, from an untrusted `?next=`: a path on this origin (with its
 * query and hash), or `/`. Anything that could leave the origin — `//evil.example`, `/\evil`,
 * `https://…`, `javascript:` — and the sign-in page itself (a loop) become `/`.
 *
 * @example safeNextPath('/services?tier=critical') // '/services?tier=critical'
 * @example safeNextPath('//evil.example/x')         // '/'
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return '/';
  }
  // The URL parser reads `//host`, `/\\host` and `/\t/host` (tabs and newlines are dropped) as
  // another origin, as browsers do: comparing origins catches them all.
  if (url.origin !== BASE) return '/';
  if (url.pathname === LOGIN_PATH || url.pathname.startsWith(`${LOGIN_PATH}/`)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The sign-in page, remembering `current` (a path with its query) to come back to; just the
 * sign-in page when `current` is itself the sign-in page or `/`.
 */
export function loginUrl(current: string): string {
  const next = safeNextPath(current);
  return next === '/' ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}
