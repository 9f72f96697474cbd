import type { DatabaseHandle } from '@bastion/db';

/** Why the database did not answer a ping within `ms`, or undefined when it did. */
export async function pingFailure(database: Pick<DatabaseHandle, 'ping'>, ms: number): Promise<unknown> {
  try {
    await withTimeout(database.ping(), ms);
    return undefined;
  } catch (error) {
    return error ?? new Error('ping failed');
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
