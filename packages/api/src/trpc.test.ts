import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import type { Database } from '@bastion/db';
import { createCallerFactory, createTRPCRouter, procedure } from './trpc.js';

// Public so the access check passes without a principal; the audit row cannot be written
// (no database) and that failure is swallowed so the mutation's own error stands.
const failing = (error: Error) =>
  procedure.meta({ public: true }).mutation(() => {
    throw error;
  });

const router = createTRPCRouter({
  uniqueRace: failing(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })),
  foreignKeyRace: failing(new Error('query failed', { cause: Object.assign(new Error('fk'), { code: '23503' }) })),
  otherDatabaseError: failing(Object.assign(new Error('syntax error at or near'), { code: '42601' })),
});
// These procedures never touch the database.
const caller = createCallerFactory(router)({ db: undefined as unknown as Database, now: () => new Date() });

describe('database constraint violations', () => {
  it('become CONFLICT, with a message that leaks no SQL', async () => {
    for (const call of [caller.uniqueRace(), caller.foreignKeyRace()]) {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('CONFLICT');
      expect((error as TRPCError).message).not.toMatch(/constraint|key/i);
    }
  });

  it('leave other failures as internal errors', async () => {
    await expect(caller.otherDatabaseError()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
