import type { AppRouter } from '@bastion/api';
import { createTRPCClient, type Operation, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import { isUnauthorized, unauthorizedLink } from './unauthorized-link';

/** A terminating link that answers every call with the given tRPC error code. */
function failingWith(code: string, httpStatus: number): TRPCLink<AppRouter> {
  return () => () =>
    observable((observer) => {
      observer.error(new TRPCClientError(code, { result: { error: { message: code, code: -1, data: { code, httpStatus } } } } as never));
    });
}

function clientFailingWith(code: string, httpStatus: number) {
  const seen: Operation[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [unauthorizedLink({ onUnauthorized: (op) => { seen.push(op); } }), failingWith(code, httpStatus)],
  });
  return { client, seen };
}

describe('unauthorizedLink', () => {
  it('reports a 401 on a query (a lost session) and still fails the call', async () => {
    const { client, seen } = clientFailingWith('UNAUTHORIZED', 401);
    const error: unknown = await client.services.list.query({}).catch((e: unknown) => e);
    expect(isUnauthorized(error)).toBe(true);
    expect(seen.map((op) => op.path)).toEqual(['services.list']);
  });

  it('ignores a 401 from sign-in itself: a wrong password is shown on the form', async () => {
    const { client, seen } = clientFailingWith('UNAUTHORIZED', 401);
    await expect(client.auth.login.mutate({ email: 'a@b.c', password: 'nope' })).rejects.toThrow();
    expect(seen).toEqual([]);
  });

  it('ignores other errors, such as a 403 for a missing scope', async () => {
    const { client, seen } = clientFailingWith('FORBIDDEN', 403);
    await expect(client.users.list.query()).rejects.toThrow();
    expect(seen).toEqual([]);
  });
});
