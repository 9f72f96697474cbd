import type { SessionCookies } from '@bastion/api';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** httpOnly: the session secret is never readable by page scripts. */
export const SESSION_COOKIE = 'bastion_session';
/** Readable by the dashboard's scripts, which echo it in `X-CSRF-Token` (double submit). */
export const CSRF_COOKIE = 'bastion_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface CookieOptions {
  /** `Secure` attribute: always, never, or `auto` = except on localhost (default). */
  secure?: boolean | 'auto';
}

function isSecure(request: FastifyRequest, option: CookieOptions['secure']): boolean {
  if (typeof option === 'boolean') return option;
  // Fastify reads X-Forwarded-Proto/Host here only when the peer is a trusted proxy (trustProxy,
  // BASTION_TRUST_PROXY): behind the dashboard they describe the browser's page, not the proxy's hop.
  return request.protocol === 'https' || !LOOPBACK.has(request.hostname);
}

/** The dashboard session cookies for one response: SameSite=Lax, Path=/, Secure outside localhost. */
export function sessionCookiesFor(request: FastifyRequest, reply: FastifyReply, options: CookieOptions = {}): SessionCookies {
  const secure = isSecure(request, options.secure);
  const base = { path: '/', sameSite: 'lax' as const, secure };
  return {
    set({ token, csrfToken, expiresAt }) {
      void reply.setCookie(SESSION_COOKIE, token, { ...base, httpOnly: true, expires: expiresAt });
      void reply.setCookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false, expires: expiresAt });
    },
    clear() {
      void reply.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
      void reply.clearCookie(CSRF_COOKIE, { ...base, httpOnly: false });
    },
  };
}
