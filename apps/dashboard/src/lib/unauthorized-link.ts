import type { AppRouter } from '@bastion/api';
import { isTRPCClientError, type Operation, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/** True when the API answered 401: no session, or one that expired or was revoked. */
export function isUnauthorized(error: unknown): boolean {
  return isTRPCClientError(error) && (error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';
}

/** Procedures whose 401 is an answer for the page to show, not a lost session. */
const EXPECTED_401 = new Set(['auth.login']);

/**
 * A tRPC link that calls `onUnauthorized` when any call is answered 401 (the session is gone),
 * except a sign-in refused for a wrong password. The error still reaches the caller.
 */
export function unauthorizedLink({ onUnauthorized }: { onUnauthorized: (op: Operation) => void }): TRPCLink<AppRouter> {
  return () =>
    function unauthorizedObserver({ op, next }) {
      return observable((observer) =>
        next(op).subscribe({
          next: (value) => { observer.next(value); },
          error: (error) => {
            if (isUnauthorized(error) && !EXPECTED_401.has(op.path)) onUnauthorized(op);
            observer.error(error);
          },
          complete: () => { observer.complete(); },
        }),
      );
    };
}
