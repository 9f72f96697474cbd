import type { Database, DatabaseHandle } from '@bastion/db';
import { openTestDatabase, truncateAll } from '@bastion/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { DomainProblem, fieldErrorsOf } from '../common/errors.js';
import { appRouter } from '../root.js';
import type { Principal } from '../auth/principal.js';
import { createCallerFactory } from '../trpc.js';
import { asAdmin } from './principals.js';

/** The instant every test starts at; tests move it with `clock.set` / `clock.advance`. */
export const T0 = new Date('2025-06-01T12:00:00.000Z');

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

/** A clock tests pin and move; procedures read it through `ctx.now`. */
export interface TestClock {
  now: () => Date;
  set: (at: Date) => void;
  advance: (ms: number) => Date;
  /** `T0` shifted by `ms` (negative for the past). */
  at: (ms: number) => Date;
}

export interface Harness {
  clock: TestClock;
  readonly db: Database;
  readonly handle: DatabaseHandle;
  /** A caller whose `ctx.now` is the test clock, acting as an admin (every scope). */
  readonly caller: Caller;
  /** The same, acting as `principal` (anonymous when undefined). */
  callerAs(principal: Principal | undefined): Caller;
  /** The plain `{ db, now }` service functions take. */
  readonly deps: { db: Database; now: () => Date };
}

/**
 * Opens one database for the calling test file (PGlite's first open costs seconds), resets the
 * clock to `T0` before each test and, unless told otherwise, empties every table.
 */
export function useHarness(options: { truncateBeforeEach?: boolean } = {}): Harness {
  let current = T0;
  const clock: TestClock = {
    now: () => current,
    set: (at) => {
      current = at;
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
      return current;
    },
    at: (ms) => new Date(T0.getTime() + ms),
  };
  let opened: DatabaseHandle | undefined;
  const handle = () => {
    if (!opened) throw new Error('the test database is not open yet (use it inside a test or hook)');
    return opened;
  };

  beforeAll(async () => {
    opened = await openTestDatabase();
  });
  afterAll(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    current = T0;
    if (options.truncateBeforeEach ?? true) await truncateAll(handle());
  });

  return {
    clock,
    get handle() {
      return handle();
    },
    get db() {
      return handle().db;
    },
    get deps() {
      return { db: handle().db, now: clock.now };
    },
    get caller() {
      return createCaller(asAdmin({ db: handle().db, now: clock.now }));
    },
    callerAs(principal) {
      return createCaller({ db: handle().db, now: clock.now, ...(principal ? { principal } : {}) });
    },
  };
}

/** Awaits a call that must fail with a TRPCError of `code`, and returns the error. */
export async function expectTRPCError(call: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a ${code} TRPCError`).toBeInstanceOf(TRPCError);
  if (!(error instanceof TRPCError)) throw new Error('unreachable');
  expect(error.code).toBe(code);
  return error;
}

/** The domain problem a domain error carries (fails the test when there is none). */
export function problemOf(error: TRPCError): DomainProblem {
  expect(error.cause).toBeInstanceOf(DomainProblem);
  if (!(error.cause instanceof DomainProblem)) throw new Error('unreachable');
  return error.cause;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The JSON Pointers of the fields an error blames, zod or domain alike. */
export function pointersOf(error: TRPCError): string[] {
  return fieldErrorsOf(error).map((e) => e.pointer);
}
