'use client';

import { Activity, ShieldCheck } from 'lucide-react';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ThemeToggle } from '@/components/theme-toggle';
import { Skeleton } from '@/components/ui/skeleton';
import { useSession } from '@/features/auth/use-session';
import { useConnection } from '@/hooks/use-connection';
import { useNow } from '@/hooks/use-now';
import { visibleNav } from '@/lib/access';
import { cn } from '@/lib/cn';
import { LOGIN_PATH } from '@/lib/safe-next';
import { formatAgo, formatTime } from '@/lib/time';

/**
 * The account menu is loaded after the page: its dropdown (Radix menu, focus and layer primitives)
 * is a fifth of the overview's first-load JavaScript, and nobody opens it in the first second.
 * The placeholder is the one the menu itself shows while it learns who is signed in.
 */
const UserMenu = dynamic(() => import('@/features/auth/user-menu').then((module) => module.UserMenu), {
  ssr: false,
  loading: () => <Skeleton className="h-8 w-40" />,
});

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export function SiteHeader() {
  const pathname = usePathname();
  // Before sign-in there is nobody to show and nowhere to go.
  const signedIn = pathname !== LOGIN_PATH;
  return (
    <header className="sticky top-0 z-30 border-b bg-card/95 backdrop-blur supports-[backdrop-filter]:bg-card/80">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <ShieldCheck aria-hidden className="size-5 text-primary" />
          Bastion
        </Link>
        {signedIn ? <MainNav pathname={pathname} /> : null}
        <div className="ml-auto flex items-center gap-2">
          <ConnectionIndicator />
          <ThemeToggle />
          {signedIn ? <UserMenu /> : null}
        </div>
      </div>
    </header>
  );
}

/** The pages the signed-in principal's scopes can use; the rest are not offered. */
function MainNav({ pathname }: { pathname: string }) {
  const { principal } = useSession();
  return (
    <nav aria-label="Main" className="flex items-center gap-1 overflow-x-auto">
      {visibleNav(principal).map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-muted-foreground hover:bg-muted hover:text-foreground',
              active && 'bg-muted text-foreground',
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

/** "Live · updated 2s ago", or red when the API stopped answering. */
function ConnectionIndicator() {
  const { state, updatedAt } = useConnection();
  const now = useNow();
  const label = {
    connecting: 'Connecting…',
    live: 'Live',
    unreachable: 'Server unreachable',
    failing: 'API errors',
  }[state];
  const bad = state === 'unreachable' || state === 'failing';
  return (
    <div
      data-testid="connection"
      data-state={state}
      className={cn(
        'flex items-center gap-2 whitespace-nowrap rounded-md border px-2.5 py-1 text-xs',
        bad ? 'border-destructive/50 bg-destructive/10' : 'bg-card',
      )}
    >
      {bad ? (
        <span aria-hidden className="size-2 rounded-full bg-destructive" />
      ) : (
        <Activity aria-hidden className={cn('size-3.5', state === 'live' ? 'text-status-operational-fg' : 'text-muted-foreground')} />
      )}
      <span className="font-medium">{label}</span>
      {updatedAt ? (
        <span className="hidden text-muted-foreground xl:inline" title={`Last successful update at ${formatTime(updatedAt)}`}>
          · updated <time dateTime={new Date(updatedAt).toISOString()}>{formatAgo(updatedAt, now)}</time>
        </span>
      ) : null}
    </div>
  );
}
