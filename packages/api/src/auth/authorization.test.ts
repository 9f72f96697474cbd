import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { openTestDatabase } from '@bastion/db/testing';
import type { DatabaseHandle } from '@bastion/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRestOperations } from '../openapi.js';
import { appRouter } from '../root.js';
import { adminPrincipal, apiKeyPrincipal, operatorPrincipal, viewerPrincipal } from '../testing/principals.js';
import { accessOf, createCallerFactory, createTRPCRouter, procedure, type Meta } from '../trpc.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { ALL_SCOPES, type Scope } from './scopes.js';

/**
 * The reviewed access of every procedure. A new procedure fails this test until it declares its
 * access in meta *and* is added here — so nothing ships open by accident, and a declaration that
 * drifts (say `services.delete` becoming `services:read`) is caught in review.
 */
const EXPECTED_ACCESS: Record<string, Scope[] | 'public'> = {
  'services.list': ['services:read'],
  'services.get': ['services:read'],
  'services.blastRadius': ['services:read'],
  'services.create': ['services:write'],
  'services.update': ['services:write'],
  'services.delete': ['services:write'],
  'heartbeats.list': ['services:read'],
  'heartbeats.create': ['heartbeats:write'],
  'heartbeats.strip': ['services:read'],
  'incidents.list': ['incidents:read'],
  'incidents.get': ['incidents:read'],
  'incidents.create': ['incidents:write'],
  'incidents.updates.create': ['incidents:write'],
  'status.get': 'public',
  'auth.login': 'public',
  'auth.logout': 'public',
  'auth.me': [],
  'auth.changePassword': [],
  'apiKeys.create': ['keys:manage'],
  'apiKeys.list': ['keys:manage'],
  'apiKeys.delete': ['keys:manage'],
  'users.list': ['users:manage'],
  'users.create': ['users:manage'],
  'users.update': ['users:manage'],
  'audit.list': ['audit:read'],
  'traffic.get': ['traffic:read'],
  'controls.get': ['controls:read'],
  'controls.switches.set': ['controls:write'],
  'controls.switches.delete': ['controls:write'],
  'controls.rateLimits.set': ['controls:write'],
  'controls.rateLimits.reset': ['controls:write'],
  'controls.targetLimits.set': ['controls:write'],
  'controls.targetLimits.delete': ['controls:write'],
  'controls.blocks.create': ['controls:write'],
  'controls.blocks.delete': ['controls:write'],
};

/** Procedures only a signed-in user may call (`meta.usersOnly`): API keys are refused whatever their scopes. */
const USERS_ONLY = ['auth.changePassword'];

const procedures = Object.entries((appRouter as AnyTRPCRouter)._def.procedures as Record<string, AnyTRPCProcedure>);

/** Every principal the table runs as; the key lacks exactly the procedure's scopes. */
function principalsFor(
  scopes: Scope[] | 'public',
  usersOnly = false,
): { name: string; principal: Principal | undefined; allowed: boolean; expect?: 'UNAUTHORIZED' | 'FORBIDDEN' }[] {
  const has = (p: Principal) => (scopes === 'public' || scopes.every((s) => p.scopes.includes(s))) && (!usersOnly || p.kind === 'user');
  const lacking = apiKeyPrincipal(scopes === 'public' ? ALL_SCOPES : ALL_SCOPES.filter((s) => !scopes.includes(s)));
  return [
    { name: 'no principal', principal: undefined, allowed: scopes === 'public', expect: 'UNAUTHORIZED' },
    { name: 'anonymous', principal: ANONYMOUS, allowed: scopes === 'public', expect: 'UNAUTHORIZED' },
    ...[viewerPrincipal, operatorPrincipal, adminPrincipal].map((p) => ({ name: p.role, principal: p, allowed: has(p), expect: 'FORBIDDEN' as const })),
    { name: 'key lacking the scope', principal: lacking, allowed: has(lacking), expect: 'FORBIDDEN' },
  ];
}

/** Calls a procedure by dotted path with a throwaway input; resolves to the tRPC error code, or 'OK'. */
async function outcome(db: DatabaseHandle['db'], principal: Principal | undefined, path: string): Promise<string> {
  const caller = createCallerFactory(appRouter)({ db, now: () => new Date(), ...(principal ? { principal } : {}) });
  let target: unknown = caller;
  for (const segment of path.split('.')) target = (target as Record<string, unknown>)[segment];
  try {
    await (target as (input: unknown) => Promise<unknown>)({ __probe: true });
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : 'THREW';
  }
}

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe('every procedure declares its access', () => {
  it('in meta, exactly one of `scopes` or `public`, as reviewed in EXPECTED_ACCESS', () => {
    const declared = Object.fromEntries(
      procedures.map(([path, p]) => {
        const access = accessOf(p._def.meta as Meta | undefined);
        return [path, access === null ? 'UNDECLARED' : access.public ? 'public' : access.scopes];
      }),
    );
    expect(declared).toEqual(EXPECTED_ACCESS);
  });

  it('and only the reviewed procedures are for users alone', () => {
    const usersOnly = procedures.filter(([, p]) => (p._def.meta as Meta | undefined)?.usersOnly).map(([path]) => path);
    expect(usersOnly).toEqual(USERS_ONLY);
  });

  it('and REST operations carry the same declaration', () => {
    for (const operation of listRestOperations()) {
      expect(operation.access, operation.procedurePath).not.toBeNull();
    }
  });

  it('a procedure without a declaration is refused to everyone, fail-closed', async () => {
    const router = createTRPCRouter({ open: procedure.query(() => 'leaked') });
    const caller = createCallerFactory(router)({ db: handle.db, now: () => new Date(), principal: adminPrincipal });
    await expect(caller.open()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });
});

describe.each(procedures.map(([path]) => path))('%s', (path) => {
  const expected = EXPECTED_ACCESS[path] ?? 'public';
  it.each(principalsFor(expected, USERS_ONLY.includes(path)).map((row) => [row.name, row] as const))('as %s', async (_name, row) => {
    const code = await outcome(handle.db, row.principal, path);
    if (row.allowed) expect(['UNAUTHORIZED', 'FORBIDDEN']).not.toContain(code);
    else expect(code).toBe(row.expect);
  });
});
