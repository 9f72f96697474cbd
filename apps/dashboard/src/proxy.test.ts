// @vitest-environment node
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { proxy } from './proxy';

/** Next carries a rewrite's request headers to the proxied call as `x-middleware-request-<name>`. */
function forwarded(response: Response, name: string): string | null {
  return response.headers.get(`x-middleware-request-${name}`);
}

describe('the API rewrite', () => {
  it('tells the API how the browser reached the dashboard (X-Forwarded-Proto and -Host)', () => {
    const response = proxy(new NextRequest('https://status.example.com/api/v1/auth/session', { method: 'POST', headers: { host: 'status.example.com' } }));
    expect(response.headers.get('x-middleware-rewrite')).toBe('http://127.0.0.1:4000/api/v1/auth/session');
    expect(forwarded(response, 'x-forwarded-proto')).toBe('https');
    expect(forwarded(response, 'x-forwarded-host')).toBe('status.example.com');
  });

  it('on plain HTTP says http, on tRPC as on REST', () => {
    const response = proxy(new NextRequest('http://localhost:3000/trpc/auth.login', { method: 'POST', headers: { host: 'localhost:3000' } }));
    expect(forwarded(response, 'x-forwarded-proto')).toBe('http');
    expect(forwarded(response, 'x-forwarded-host')).toBe('localhost:3000');
  });

  it('keeps the protocol a TLS-terminating proxy in front of the dashboard reported, with the Host it passed on', () => {
    const response = proxy(
      new NextRequest('http://status.example.com/api/v1/auth/session', {
        method: 'POST',
        headers: { host: 'status.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'spoofed.example' },
      }),
    );
    expect(forwarded(response, 'x-forwarded-proto')).toBe('https');
    expect(forwarded(response, 'x-forwarded-host')).toBe('status.example.com');
  });
});
