/**
 * The dashboard session's cookies, as apps/server sets them (apps/server/src/auth/session-cookies.ts):
 * the httpOnly session token, and the readable CSRF token that mutations echo in a header.
 */
export const SESSION_COOKIE = 'bastion_session';
export const CSRF_COOKIE = 'bastion_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** The value of cookie `name` in a `document.cookie` string, or undefined. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      // A value that is not percent-encoding is taken as it is.
      return raw;
    }
  }
  return undefined;
}

/**
 * The headers a batch of tRPC operations needs: the double-submit CSRF token on mutations
 * (the server refuses a cookie-authenticated mutation without it), nothing on queries.
 */
export function csrfHeaders(operations: readonly { type: string }[], cookies: string): Record<string, string> {
  if (!operations.some((op) => op.type === 'mutation')) return {};
  const token = readCookie(cookies, CSRF_COOKIE);
  return token ? { [CSRF_HEADER]: token } : {};
}
