import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Skeleton } from '@/components/ui/skeleton';
import { LoginForm } from '@/features/auth/login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <Suspense fallback={<Skeleton className="mx-auto mt-10 h-80 max-w-sm" />}>
      <LoginForm />
    </Suspense>
  );
}
