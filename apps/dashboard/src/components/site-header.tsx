'use client';

import { Activity, ShieldCheck } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ThemeToggle } from '@/components/theme-toggle';
import { useConnection } from '@/hooks/use-connection';
import { useNow } from '@/hooks/use-now';
import { cn } from '@/lib/cn';
import { formatAgo, formatTime } from '@/lib/time';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/services', label: 'Services' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/api-reference', label: 'API' },
] as const;

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export function SiteHeader() {
  const pathname = usePathname();
  return (
    <header className="sticky top-0 z-30 border-b bg-card/95 backdrop-blur supports-[backdrop-filter]:bg-card/80">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <ShieldCheck aria-hidden className="size-5 text-primary" />
          Bastion
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 overflow-x-auto">
          {NAV.map((item) => {
            const active = isActive(pathname, item.href);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  'rounded-md px-3 py-1.5 text-sm font-medium text-muted-foreground hover:bg-muted hover:text-foreground',
                  active && 'bg-muted text-foreground',
                )}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <ConnectionIndicator />
          <ThemeToggle />
        </div>
      </div>
    </header>
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
        'flex items-center gap-2 rounded-md border px-2.5 py-1 text-xs',
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
        <span className="hidden text-muted-foreground sm:inline" title={`Last successful update at ${formatTime(updatedAt)}`}>
          · updated <time dateTime={new Date(updatedAt).toISOString()}>{formatAgo(updatedAt, now)}</time>
        </span>
      ) : null}
    </div>
  );
}
