import { isTRPCClientError } from '@trpc/client';

/** What the sign-in form says about a refused sign-in, and how long to wait when throttled. */
export interface LoginError {
  message: string;
  /** Seconds until another attempt can succeed; null unless throttled. */
  retryAfterSeconds: number | null;
}

/*
 * The tRPC face has no Retry-After header to read, so the wait comes from the server's own
 * message ("…; retry in 840 s.", packages/api/src/modules/auth/auth.router.ts). If that wording
 * changes, the form still shows the server's message, just without the countdown.
 */
const RETRY_IN = /retry in (\d+) ?s\b/i;

/** Turns a failed `auth.login` into what the form shows. */
export function describeLoginError(error: unknown): LoginError {
  if (!isTRPCClientError(error)) {
    return { message: error instanceof Error ? error.message : 'Something went wrong; try again.', retryAfterSeconds: null };
  }
  const code = (error.data as { code?: string } | undefined)?.code;
  switch (code) {
    case undefined:
      return { message: 'The server could not be reached. Check your connection and try again.', retryAfterSeconds: null };
    case 'UNAUTHORIZED':
      return { message: 'Wrong email or password.', retryAfterSeconds: null };
    case 'TOO_MANY_REQUESTS': {
      const seconds = Number(RETRY_IN.exec(error.message)?.[1] ?? Number.NaN);
      return Number.isFinite(seconds) && seconds > 0
        ? { message: 'Too many failed sign-ins for this account.', retryAfterSeconds: seconds }
        : { message: error.message, retryAfterSeconds: null };
    }
    default:
      return { message: error.message, retryAfterSeconds: null };
  }
}

/** `45 s`, `14 min 5 s`: how long until the sign-in throttle lets go. */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}
