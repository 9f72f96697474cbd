import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { describeLoginError, formatWait } from './login-error';

function trpcError(message: string, data?: { code: string; httpStatus: number }) {
  return new TRPCClientError(message, { result: data ? { error: { message, code: -1, data } } : undefined });
}

describe('describeLoginError', () => {
  it('says the email or password is wrong on a 401', () => {
    const error = trpcError('Invalid email or password.', { code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(describeLoginError(error)).toEqual({ message: 'Wrong email or password.', retryAfterSeconds: null });
  });

  it('reads the wait from a 429', () => {
    const error = trpcError('Too many failed sign-ins; retry in 840 s.', { code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
    expect(describeLoginError(error)).toEqual({ message: 'Too many failed sign-ins for this account.', retryAfterSeconds: 840 });
  });

  it('still shows the server’s words for a 429 whose wait it cannot read', () => {
    const error = trpcError('Slow down.', { code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
    expect(describeLoginError(error)).toEqual({ message: 'Slow down.', retryAfterSeconds: null });
  });

  it('says the server is unreachable when there is no tRPC answer at all', () => {
    expect(describeLoginError(trpcError('fetch failed')).message).toMatch(/could not be reached/);
  });
});

describe('formatWait', () => {
  it('counts seconds, then minutes and seconds', () => {
    expect(formatWait(45)).toBe('45 s');
    expect(formatWait(44.2)).toBe('45 s');
    expect(formatWait(845)).toBe('14 min 5 s');
    expect(formatWait(900)).toBe('15 min');
  });
});
