import type { AppRouter } from '@bastion/api';
import type { PrincipalOutput } from '@bastion/api/auth/schema';
import type { TargetLimitOutput } from '@bastion/api/controls/schema';
import { ROLE_SCOPES } from '@bastion/api/scopes';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createTRPCClient, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { TRPCProvider } from '@/lib/trpc';
import { TargetLimits } from './target-limits';

afterEach(cleanup);

function principal(role: 'viewer' | 'operator'): PrincipalOutput {
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

const LIMIT: TargetLimitOutput = {
  target: 'incidents',
  perMinute: 30,
  reason: 'stolen key',
  changedBy: { kind: 'user', id: 'u1', label: 'operator@demo.bastion' },
  changedAt: new Date().toISOString(),
};
const TARGETS = ['incidents', 'incidents.create', 'incidents.list', 'services', 'services.list'];

/** Renders the card for `role`, recording every mutation the page sends (path and input). */
function renderAs(role: 'viewer' | 'operator', limits: TargetLimitOutput[] = [LIMIT]) {
  const sent: { path: string; input: unknown }[] = [];
  const link: TRPCLink<AppRouter> = () => ({ op }) =>
    observable((observer) => {
      if (op.path === 'auth.me') observer.next({ result: { type: 'data', data: principal(role) } });
      else if (op.path === 'controls.targetLimits.set') {
        sent.push({ path: op.path, input: op.input });
        observer.next({ result: { type: 'data', data: { ...LIMIT, ...(op.input as object) } } });
      } else if (op.path === 'controls.targetLimits.delete') {
        sent.push({ path: op.path, input: op.input });
        observer.next({ result: { type: 'data', data: undefined } });
      } else throw new Error(`unexpected call ${op.path}`);
      observer.complete();
    });
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    );
  }
  render(<TargetLimits limits={limits} targets={TARGETS} />, { wrapper: Wrapper });
  return sent;
}

describe('per-target limits', () => {
  it('checks the form with the API schema (nothing sent while invalid), then sends the limit for the chosen target', async () => {
    const sent = renderAs('operator');
    const submit = await screen.findByRole('button', { name: /Set limit/ });
    const target = screen.getByLabelText('Module or procedure');
    const perMinute = screen.getByLabelText('Requests a minute');

    fireEvent.click(submit);
    await waitFor(() => { expect(target.getAttribute('aria-invalid')).toBe('true'); });
    expect(perMinute.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(target, { target: { value: 'incidents.create' } });
    fireEvent.change(perMinute, { target: { value: '0' } });
    fireEvent.click(submit);
    await waitFor(() => { expect(perMinute.getAttribute('aria-invalid')).toBe('true'); });
    expect(target.getAttribute('aria-invalid')).toBeNull();
    expect(sent).toEqual([]);

    fireEvent.change(perMinute, { target: { value: '25' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'flood' } });
    fireEvent.click(submit);
    await waitFor(() => {
      expect(sent).toEqual([{ path: 'controls.targetLimits.set', input: { target: 'incidents.create', perMinute: 25, reason: 'flood' } }]);
    });
    // Cleared for the next one once the server accepted it.
    await waitFor(() => { expect((perMinute as HTMLInputElement).value).toBe(''); });
  });

  it('lists the limits in force and removes one by its target', async () => {
    const sent = renderAs('operator');
    const row = (await screen.findAllByTestId('target-limit-row'))[0];
    expect(row?.textContent).toContain('30/min');
    expect(row?.textContent).toContain('stolen key');
    fireEvent.click(await screen.findByRole('button', { name: 'Remove the limit on incidents' }));
    await waitFor(() => { expect(sent).toEqual([{ path: 'controls.targetLimits.delete', input: { target: 'incidents' } }]); });
  });

  it('shows a reader the limits without the form or the remove buttons', async () => {
    renderAs('viewer');
    await screen.findByTestId('target-limit-row');
    // The gates render once the session is known; give them that chance before asserting absence.
    await waitFor(() => { expect(screen.queryByRole('button', { name: /Set limit/ })).toBeNull(); });
    expect(screen.queryByRole('button', { name: /Remove the limit/ })).toBeNull();
  });
});
