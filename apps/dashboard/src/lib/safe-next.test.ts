import { describe, expect, it } from 'vitest';
import { loginUrl, safeNextPath } from './safe-next';

describe('safeNextPath', () => {
  it('keeps a same-origin path with its query and hash', () => {
    expect(safeNextPath('/services?tier=critical&q=pay')).toBe('/services?tier=critical&q=pay');
    expect(safeNextPath('/incidents/abc#timeline')).toBe('/incidents/abc#timeline');
    expect(safeNextPath('/api-keys')).toBe('/api-keys');
  });

  it.each([
    ['nothing', null],
    ['an empty string', ''],
    ['an absolute URL', 'https://evil.example/steal'],
    ['a protocol-relative URL', '//evil.example/steal'],
    ['a backslash trick', '/\\evil.example'],
    ['a tab inside the slashes', '/\t/evil.example'],
    ['a newline inside the slashes', '/\n/evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'services'],
    ['the sign-in page itself (a loop)', '/login?next=%2Fservices'],
  ])('sends %s to the overview', (_what, raw) => {
    expect(safeNextPath(raw)).toBe('/');
  });

  it('normalises dot segments instead of letting them climb out', () => {
    expect(safeNextPath('/services/../../users')).toBe('/users');
  });
});

describe('loginUrl', () => {
  it('remembers where the user was, encoded', () => {
    expect(loginUrl('/services?tier=critical')).toBe('/login?next=%2Fservices%3Ftier%3Dcritical');
  });

  it('adds nothing for the overview or the sign-in page, so there is no redirect loop', () => {
    expect(loginUrl('/')).toBe('/login');
    expect(loginUrl('/login?next=%2Fusers')).toBe('/login');
  });

  it('round-trips through safeNextPath', () => {
    const url = new URL(loginUrl('/audit?action=auth.login'), 'http://x');
    expect(safeNextPath(url.searchParams.get('next'))).toBe('/audit?action=auth.login');
  });
});
