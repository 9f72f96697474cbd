import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createSession, revokeSession } from '../../auth/credentials.js';
import { passwordLogin } from '../../auth/login.js';
import { ANONYMOUS, type Principal } from '../../auth/principal.js';
import { ROLE_SCOPES } from '../../auth/scopes.js';
import { forbidden, tooManyRequests, unauthorized } from '../../common/errors.js';
import { createTRPCRouter, procedure } from '../../trpc.js';
import { changePasswordInput, changePasswordOutput, loginInput, loginOutput, principalOutput, type PrincipalOutput } from './auth.schema.js';
import { changePassword } from './auth.service.js';

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
      // The session and CSRF token are in the answer and its cookies: never stored for a replay.
      idempotencyKeys: false,
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
      // Its effect is the Set-Cookie that clears the session, which a replay could not repeat.
      idempotencyKeys: false,
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

  changePassword: procedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/password',
        tags,
        summary: 'Change your password (signs you out everywhere else)',
        description:
          'Checks the current password (wrong ones count toward the sign-in throttle: 429 after 5), stores the new one, ends every other session, revokes every refresh token of the account and refuses every access token issued before the change. The session or token making the call keeps working.',
      },
      scopes: [],
      usersOnly: true,
      errorStatuses: [422, 429],
      // An idempotency record keeps a hash of the input: an unsalted hash of two passwords.
      idempotencyKeys: false,
    })
    .input(changePasswordInput)
    .output(changePasswordOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'auth runtime missing from context' });
      const principal = ctx.principal ?? ANONYMOUS;
      // usersOnly already refused everyone else; this narrows the type.
      if (principal.kind !== 'user') throw forbidden('Only a signed-in user may change a password.');
      return changePassword({ db: ctx.db, now: ctx.now, auth: ctx.auth }, { user: principal, ip: ctx.ip }, input, ctx.audit);
    }),

  me: procedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags, summary: 'Who am I: the caller and its scopes' }, scopes: [] })
    .input(z.void())
    .output(principalOutput)
    .query(({ ctx }) => toPrincipalOutput(ctx.principal ?? ANONYMOUS)),
});
