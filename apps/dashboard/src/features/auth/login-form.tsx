'use client';

import { useMutation } from '@tanstack/react-query';
import { LogIn, ShieldCheck, TriangleExclamationPoint } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import { type SubmitEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useNow } from '@/hooks/use-now';
import { safeNextPath } from '@/lib/safe-next';
import { useTRPC } from '@/lib/trpc';
import { describeLoginError, formatWait, type LoginError } from './login-error';

interface Problem extends LoginError {
  /** When the throttle lets go (epoch ms), for the countdown. */
  retryAt: number | null;
}

/** Email and password; on success, the page the user was sent here from (`?next=`, same origin only). */
export function LoginForm() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const login = useMutation(trpc.auth.login.mutationOptions());
  const now = useNow();
  const waitSeconds = problem?.retryAt ? Math.max(0, (problem.retryAt - now) / 1000) : 0;
  const throttled = waitSeconds > 0;

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const required = {
      ...(email.trim() ? {} : { email: 'Enter your email address.' }),
      ...(password ? {} : { password: 'Enter your password.' }),
    };
    setMissing(required);
    if (required.email ?? required.password) return;
    setProblem(null);
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          // A full page load, not a client-side navigation: the router cached the pages it
          // prefetched before sign-in as redirects to here, and the query cache holds nobody's data.
          window.location.replace(safeNextPath(params.get('next')));
        },
        onError: (error) => {
          const described = describeLoginError(error);
          setProblem({ ...described, retryAt: described.retryAfterSeconds ? Date.now() + described.retryAfterSeconds * 1000 : null });
          setPassword('');
        },
      },
    );
  }

  return (
    <div className="mx-auto mt-10 w-full max-w-sm">
      <div className="mb-6 flex flex-col items-center gap-2 text-center">
        <ShieldCheck aria-hidden className="size-9 text-primary" />
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to Bastion</h1>
        <p className="text-sm text-muted-foreground">Watch the fleet and act on it.</p>
      </div>
      <Card className="p-6">
        <form noValidate onSubmit={submit} aria-label="Sign in" className="grid gap-4">
          {problem ? (
            <div
              role="alert"
              data-testid="login-error"
              className="flex gap-3 rounded-lg border border-destructive/50 bg-destructive/10 px-4 py-3 text-sm"
            >
              <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
              <div className="space-y-1">
                <p className="font-medium">{problem.message}</p>
                {problem.retryAt ? (
                  <p data-testid="login-retry">
                    {throttled ? `Try again in ${formatWait(waitSeconds)}.` : 'You can try again now.'}
                  </p>
                ) : null}
              </div>
            </div>
          ) : null}
          <Field label="Email" error={missing.email}>
            <Input
              name="email"
              type="email"
              autoComplete="username"
              autoFocus
              value={email}
              onChange={(e) => { setEmail(e.target.value); }}
            />
          </Field>
          <Field label="Password" error={missing.password}>
            <Input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => { setPassword(e.target.value); }}
            />
          </Field>
          <Button type="submit" disabled={login.isPending || throttled} className="mt-1 w-full">
            <LogIn aria-hidden /> {login.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </Card>
    </div>
  );
}
