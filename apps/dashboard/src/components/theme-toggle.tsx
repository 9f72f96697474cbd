'use client';

import { Moon, Sun } from 'lucide-react';
import { useTheme } from 'next-themes';
import { Button } from '@/components/ui/button';

/** Flips between light and dark; the icon shows the theme you would switch to. */
export function ThemeToggle() {
  const { resolvedTheme, setTheme } = useTheme();
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label="Toggle dark theme"
      title="Toggle dark theme"
      data-testid="theme-toggle"
      onClick={() => { setTheme(resolvedTheme === 'dark' ? 'light' : 'dark'); }}
    >
      <Moon aria-hidden className="dark:hidden" />
      <Sun aria-hidden className="hidden dark:block" />
    </Button>
  );
}
