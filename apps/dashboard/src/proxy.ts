import { NextResponse, type NextRequest } from 'next/server';
import { readEnv } from './env';
import { loginUrl, LOGIN_PATH } from './lib/safe-next';
import { SESSION_COOKIE } from './lib/session-cookies';

/** Paths apps/server answers; everything else the matcher lets through is a dashboard page. */
const API_PATHS = /^\/(?:trpc(?:\/|$)|api\/|docs(?:\/|$)|openapi\.json$)/;

/**
 * The request headers for the API, plus how the browser reached us: the rewrite's Host is the API's
 * own address, so the API (trusting this hop through BASTION_TRUST_PROXY) decides the session
 * cookie's `Secure` from `X-Forwarded-Proto`/`-Host`. Next 16's rewrite proxy sends both too
 * (checked against `next dev`); set here so the contract does not rest on that. The protocol a
 * TLS-terminating proxy in front of us reported is kept; the host is the Host we were sent, which
 * is what Next's proxy writes over `X-Forwarded-Host` anyway (so a front proxy must pass Host on).
 */
export function forwardedHeaders(request: NextRequest): Headers {
  const headers = new Headers(request.headers);
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', request.nextUrl.protocol.replace(/:$/, ''));
  const host = request.headers.get('host');
  if (host) headers.set('x-forwarded-host', host);
  return headers;
}

/**
 * Rewrites the API's paths to apps/server so the browser talks to one origin (no CORS, and the
 * links to `/docs` and `/openapi.json` work as they are); request and response headers, cookies
 * included, pass through as they are, so the session cookie the API sets lands on this origin. A
 * rewrite in `next.config.ts` would be frozen into the build's routes manifest; here the target
 * is read when the request arrives, so the same build can point at any `BASTION_API_URL` (the
 * end-to-end tests use random ports).
 *
 * A page asked for without a session cookie goes straight to the sign-in page (no flash of an
 * empty page first). A cookie that is present but expired is caught by the first API call's 401.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (API_PATHS.test(pathname)) {
    return NextResponse.rewrite(new URL(`${pathname}${search}`, readEnv().BASTION_API_URL), {
      request: { headers: forwardedHeaders(request) },
    });
  }
  if (pathname !== LOGIN_PATH && !request.cookies.has(SESSION_COOKIE)) {
    return NextResponse.redirect(new URL(loginUrl(`${pathname}${search}`), request.url));
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    '/trpc/:path*',
    '/api/:path+',
    '/docs',
    '/docs/:path*',
    '/openapi.json',
    // Pages: everything but Next's own assets and static files.
    '/((?!_next/|favicon\\.ico|icon\\.svg|.*\\.(?:svg|png|jpg|ico|txt|webmanifest)$).*)',
  ],
};
