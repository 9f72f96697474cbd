import { NextResponse, type NextRequest } from 'next/server';
import { readEnv } from './env';

/**
 * Rewrites the API's paths to apps/server so the browser talks to one origin (no CORS, and the
 * links to `/docs` and `/openapi.json` work as they are). A rewrite in `next.config.ts` would be
 * frozen into the build's routes manifest; here the target is read when the request arrives, so
 * the same build can point at any `BASTION_API_URL` (the end-to-end tests use random ports).
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${pathname}${search}`, readEnv().BASTION_API_URL));
}

export const config = {
  matcher: ['/trpc/:path*', '/api/:path+', '/docs', '/docs/:path*', '/openapi.json'],
};
