'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation } from '@tanstack/react-query';
import { ChevronDown, CircleUserRound, KeyRound, LogOut } from 'lucide-react';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { LOGIN_PATH } from '@/lib/safe-next';
import { useTRPC } from '@/lib/trpc';
import { useSession } from './use-session';

const itemClass =
  'flex cursor-default select-none items-center gap-2 rounded-sm px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-muted data-[disabled]:opacity-60 [&_svg]:size-4';

/** Who is signed in (email and role, from `auth.me`) and the way out. */
export function UserMenu() {
  const trpc = useTRPC();
  const { principal, can } = useSession();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      // Signed out or not (the session may already be gone), start over on the sign-in page with
      // a fresh page load: nothing of this session stays in memory.
      onSettled: () => { window.location.assign(LOGIN_PATH); },
    }),
  );
  if (!principal) return <Skeleton className="h-8 w-40" />;
  const role = principal.role ?? 'API key';
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>
        <Button variant="ghost" size="sm" data-testid="user-menu">
          <span className="sr-only">Account: </span>
          <span aria-hidden className="flex size-6 items-center justify-center rounded-full bg-primary text-[0.7rem] font-semibold uppercase text-primary-foreground">
            {principal.label.slice(0, 1)}
          </span>
          {/* Below 2xl the nav needs the room: the email is then in the open menu and read by screen readers. */}
          <span className="sr-only max-w-48 truncate 2xl:not-sr-only" data-testid="user-email">
            {principal.label}
          </span>
          <Badge className="hidden bg-muted capitalize text-muted-foreground sm:inline-flex" data-testid="user-role">
            {role}
          </Badge>
          <ChevronDown aria-hidden />
        </Button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-56 rounded-md border bg-card p-1 text-card-foreground shadow-lg">
          <DropdownMenu.Label className="px-2 py-1.5">
            <span className="block truncate text-sm font-medium">{principal.label}</span>
            <span className="block text-xs capitalize text-muted-foreground">Role: {role}</span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="my-1 h-px bg-border" />
          {principal.kind === 'user' ? (
            <DropdownMenu.Item asChild className={itemClass}>
              <Link href="/account">
                <CircleUserRound aria-hidden /> Account
              </Link>
            </DropdownMenu.Item>
          ) : null}
          {can(['keys:manage']) ? (
            <DropdownMenu.Item asChild className={itemClass}>
              <Link href="/api-keys">
                <KeyRound aria-hidden /> API keys
              </Link>
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Item
            className={itemClass}
            disabled={logout.isPending}
            onSelect={() => { logout.mutate(); }}
          >
            <LogOut aria-hidden /> {logout.isPending ? 'Signing out…' : 'Sign out'}
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
