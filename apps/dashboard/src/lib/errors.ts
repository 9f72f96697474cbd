import { isTRPCClientError } from '@trpc/client';

/** True when the API answered that the thing asked for does not exist. */
export function isNotFound(error: unknown): boolean {
  return isTRPCClientError(error) && (error.data as { code?: string } | undefined)?.code === 'NOT_FOUND';
}
