import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createSession, revokeSession } from '../../auth/credentials.js';
import { passwordLogin } from '../../auth/login.js';
import { ANONYMOUS, type Principal } from '../../auth/principal.js';
import { ROLE_SCOPES } from '../../auth/scopes.js';
import { tooManyRequests, unauthorized } from '../../common/errors.js';
import { createTRPCRouter, procedure } from '../../trpc.js';
import { loginInput, loginOutput, principalOutput, type PrincipalOutput } from './auth.schema.js';

const tags = ['auth'];

/** The caller as the API shows it (no secrets, no hashes). */
export function toPrincipalOutput(principal: Principal): PrincipalOutput {
  switch (principal.kind) {
    case 'anonymous':
      throw new TRPCError({ code: 'UNAUTHORIZED' });
    case 'user':
      return { kind: 'user', id: principal.id, label: principal.email, role: principal.role, ownerId: null, scopes: [...principal.scopes], via: principal.via };
    case 'apiKey':
      return { kind: 'apiKey', id: principal.id, label: principal.name, role: null, ownerId: principal.ownerId, scopes: [...principal.scopes], via: principal.via };
  }
}

export const authRouter = createTRPCRouter({
  login: procedure
    .meta({
      openapi: { method: 'POST', path: '/auth/session', tags, summary: 'Sign in to the dashboard (sets the session cookie)' },
      public: true,
      errorStatuses: [401, 429],
    })
    .input(loginInput)
    .output(loginOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'auth runtime missing from context' });
      const deps = { db: ctx.db, now: ctx.now, auth: ctx.auth };
      ctx.audit.target = input.email.toLowerCase().slice(0, 200);
      const result = await passwordLogin(deps, { username: input.email, password: input.password, ip: ctx.ip });
      if (!result.ok) {
        ctx.audit.detail = { reason: result.reason };
        if (result.reason === 'throttled') {
          throw tooManyRequests(`Too many failed sign-ins; retry in ${result.retryAfterSeconds} s.`, result.retryAfterSeconds);
        }
        throw unauthorized('Invalid email or password.');
      }
      const { user } = result;
      const session = await createSession(deps, user.id);
      ctx.sessionCookies?.set(session);
      const principal: Principal = {
        kind: 'user',
        id: user.id,
        email: user.email,
        role: user.role,
        scopes: ROLE_SCOPES[user.role],
        via: 'session',
        sessionId: session.id,
      };
      ctx.audit.actor = principal;
      ctx.audit.detail = { sessionId: session.id };
      return {
        principal: toPrincipalOutput(principal),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    }),

  logout: procedure
    .meta({
      openapi: { method: 'DELETE', path: '/auth/session', tags, summary: 'Sign out (ends the session, clears the cookie)' },
      public: true,
      successStatus: 204,
    })
    .input(z.void())
    .output(z.void())
    .mutation(async ({ ctx }) => {
      const principal = ctx.principal ?? ANONYMOUS;
      if (principal.kind === 'user' && principal.sessionId) {
        ctx.audit.target = principal.sessionId;
        await revokeSession(ctx, principal.sessionId);
      }
      ctx.sessionCookies?.clear();
    }),

  me: procedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags, summary: 'Who am I: the caller and its scopes' }, scopes: [] })
    .input(z.void())
    .output(principalOutput)
    .query(({ ctx }) => toPrincipalOutput(ctx.principal ?? ANONYMOUS)),
});
