'use client';

import type { AppRouter } from '@bastion/api';
import { QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { ThemeProvider } from 'next-themes';
import { type ReactNode, useState } from 'react';
import { makeQueryClient } from '@/lib/query-client';
import { LOGIN_PATH, loginUrl } from '@/lib/safe-next';
import { csrfHeaders } from '@/lib/session-cookies';
import { TRPCProvider } from '@/lib/trpc';
import { unauthorizedLink } from '@/lib/unauthorized-link';

let redirecting = false;

/** Sends the browser to the sign-in page, once, remembering where it was. */
function redirectToLogin() {
  const { pathname, search } = window.location;
  if (pathname === LOGIN_PATH || redirecting) return;
  redirecting = true;
  // A full navigation: the next page starts with an empty cache, nothing of the old session kept.
  window.location.assign(loginUrl(`${pathname}${search}`));
}

/**
 * Theme, TanStack Query and the typed tRPC client. The client calls `/trpc` on the dashboard's
 * own origin; `src/proxy.ts` forwards it (cookies included) to apps/server. Mutations carry the
 * session's CSRF token, and a 401 on any call means the session is gone: off to sign in.
 */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        unauthorizedLink({ onUnauthorized: redirectToLogin }),
        httpBatchLink({
          url: '/trpc',
          maxURLLength: 4_000,
          maxItems: 10,
          headers: ({ opList }) => csrfHeaders(opList, document.cookie),
        }),
      ],
    }),
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
