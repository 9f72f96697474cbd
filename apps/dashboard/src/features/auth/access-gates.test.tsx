import type { AppRouter } from '@bastion/api';
import type { PrincipalOutput } from '@bastion/api/auth/schema';
import { ROLE_SCOPES } from '@bastion/api/scopes';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { createTRPCClient, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { TRPCProvider } from '@/lib/trpc';
import { Can, RequireScopes } from './access-gates';

afterEach(cleanup);

function principal(role: 'viewer' | 'admin'): PrincipalOutput {
  return {
    kind: 'user',
    id: '00000000-0000-4000-8000-000000000001',
    label: `${role}@demo.bastion`,
    role,
    ownerId: null,
    scopes: [...ROLE_SCOPES[role]],
    via: 'session',
  };
}

/** A tRPC client whose `auth.me` answers `me`. */
function signedInAs(me: PrincipalOutput) {
  const link: TRPCLink<AppRouter> = () => ({ op }) =>
    observable((observer) => {
      if (op.path !== 'auth.me') throw new Error(`unexpected call ${op.path}`);
      observer.next({ result: { type: 'data', data: me } });
      observer.complete();
    });
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    );
  };
}

function Page() {
  return (
    <RequireScopes scopes={['users:manage']} what="user management">
      <h1>Users</h1>
      <Can scopes={['services:write']}>
        <button type="button">New service</button>
      </Can>
    </RequireScopes>
  );
}

describe('access gates', () => {
  it('show an admin the page and its buttons', async () => {
    render(<Page />, { wrapper: signedInAs(principal('admin')) });
    await screen.findByRole('heading', { name: 'Users' });
    expect(screen.getByRole('button', { name: 'New service' })).toBeTruthy();
  });

  it('show a viewer who typed the address a clear no-access state naming the missing scope', async () => {
    render(<Page />, { wrapper: signedInAs(principal('viewer')) });
    const heading = await screen.findByRole('heading', { name: /You don’t have access to user management/ });
    const state = heading.closest('[data-testid="no-access"]');
    expect(state?.textContent).toContain('users:manage');
    expect(state?.textContent).toContain('viewer');
    expect(screen.queryByRole('heading', { name: 'Users' })).toBeNull();
  });

  it('hide a button the principal cannot use, and show it to one who can', async () => {
    render(
      <>
        <Can scopes={['incidents:read']}>
          <span>Incidents</span>
        </Can>
        <Can scopes={['incidents:write']}>
          <button type="button">Declare incident</button>
        </Can>
      </>,
      { wrapper: signedInAs(principal('viewer')) },
    );
    await screen.findByText('Incidents');
    expect(screen.queryByRole('button', { name: 'Declare incident' })).toBeNull();
  });
});
