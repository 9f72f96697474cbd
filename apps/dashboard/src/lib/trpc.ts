'use client';

import type { AppRouter } from '@bastion/api';
import { createTRPCContext } from '@trpc/tanstack-react-query';

/** The typed tRPC hooks: `useTRPC()` gives query/mutation options for every procedure. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
