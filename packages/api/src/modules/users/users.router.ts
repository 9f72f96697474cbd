import { z } from 'zod';
import { createTRPCRouter, procedure } from '../../trpc.js';
import { createdUserOutput, createUserInput, updateUserInput, userListOutput, userOutput } from './users.schema.js';
import { createUser, listUsers, updateUser } from './users.service.js';

const tags = ['users'];

export const usersRouter = createTRPCRouter({
  list: procedure
    .meta({ openapi: { method: 'GET', path: '/users', tags, summary: 'List users' }, scopes: ['users:manage'] })
    .input(z.void())
    .output(userListOutput)
    .query(({ ctx }) => listUsers(ctx)),

  create: procedure
    .meta({
      openapi: { method: 'POST', path: '/users', tags, summary: 'Invite a user' },
      scopes: ['users:manage'],
      successStatus: 201,
      errorStatuses: [409],
      // The temporary password is in the answer: it is never stored for a replay.
      idempotencyKeys: false,
    })
    .input(createUserInput)
    .output(createdUserOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await createUser(ctx, input);
      ctx.audit.target = user.id;
      ctx.audit.detail = { email: user.email, role: user.role };
      return user;
    }),

  update: procedure
    .meta({
      openapi: { method: 'PATCH', path: '/users/{id}', tags, summary: 'Change a user’s name or role, or disable the account' },
      scopes: ['users:manage'],
      errorStatuses: [409],
    })
    .input(updateUserInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => updateUser(ctx, input, ctx.audit)),
});
