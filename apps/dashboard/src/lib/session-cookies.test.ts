import { describe, expect, it } from 'vitest';
import { csrfHeaders, readCookie } from './session-cookies';

describe('readCookie', () => {
  it('finds a cookie among others, decoding it', () => {
    expect(readCookie('theme=dark; bastion_csrf=a%2Bb; other=1', 'bastion_csrf')).toBe('a+b');
  });

  it('does not match a cookie whose name merely ends the same', () => {
    expect(readCookie('x_bastion_csrf=nope', 'bastion_csrf')).toBeUndefined();
  });

  it('keeps a value that is not valid percent-encoding', () => {
    expect(readCookie('bastion_csrf=100%', 'bastion_csrf')).toBe('100%');
  });
});

describe('csrfHeaders', () => {
  const cookies = 'bastion_csrf=tok123';

  it('sends X-CSRF-Token on a batch with a mutation', () => {
    expect(csrfHeaders([{ type: 'mutation' }], cookies)).toEqual({ 'X-CSRF-Token': 'tok123' });
  });

  it('sends nothing on queries', () => {
    expect(csrfHeaders([{ type: 'query' }, { type: 'query' }], cookies)).toEqual({});
  });

  it('sends nothing when there is no session (no cookie)', () => {
    expect(csrfHeaders([{ type: 'mutation' }], 'theme=dark')).toEqual({});
  });
});
