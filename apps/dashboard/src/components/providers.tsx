'use client';

import type { AppRouter } from '@bastion/api';
import { QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { ThemeProvider } from 'next-themes';
import { type ReactNode, useState } from 'react';
import { makeQueryClient } from '@/lib/query-client';
import { TRPCProvider } from '@/lib/trpc';

/**
 * Theme, TanStack Query and the typed tRPC client. The client calls `/trpc` on the dashboard's
 * own origin; `src/proxy.ts` forwards it to apps/server.
 */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/trpc', maxURLLength: 4_000 })] }),
  );
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
