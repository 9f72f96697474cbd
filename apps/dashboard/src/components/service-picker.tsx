'use client';

import type { Service } from '@bastion/api/services/schema';
import { useId, useState } from 'react';
import { StatusDot, TierBadge } from '@/components/status-badges';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/cn';
import { STATUS_LOOK } from '@/lib/status';

interface ServicePickerProps {
  legend: string;
  description?: string;
  services: Service[] | undefined;
  /** Selected slugs, in the order they were picked (the order the API's pointers index). */
  selected: readonly string[];
  onChange: (next: string[]) => void;
  /** A slug not to offer (the service being edited). */
  exclude?: string;
  /** An error on the whole list. */
  error?: string | undefined;
  /** Errors on single entries, keyed by slug. */
  itemErrors?: ReadonlyMap<string, string>;
  name: string;
}

/**
 * Picks services with checkboxes in a fieldset: keyboard and screen-reader friendly, and each
 * entry can carry its own error (e.g. "would create a cycle" on `/dependsOn/2`).
 */
export function ServicePicker({ legend, description, services, selected, onChange, exclude, error, itemErrors, name }: ServicePickerProps) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const options = (services ?? []).filter((s) => s.slug !== exclude);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? options.filter((s) => s.slug.includes(needle) || s.name.toLowerCase().includes(needle)) : options;
  const describedBy = [description ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

  function toggle(slug: string, on: boolean) {
    onChange(on ? [...selected, slug] : selected.filter((s) => s !== slug));
  }

  return (
    <fieldset className="grid gap-2" aria-describedby={describedBy}>
      <legend className="mb-1.5 text-sm font-medium">
        {legend} <span className="font-normal text-muted-foreground">({selected.length} selected)</span>
      </legend>
      {description ? (
        <p id={`${id}-hint`} className="-mt-1 text-xs text-muted-foreground">
          {description}
        </p>
      ) : null}
      {options.length > 8 ? (
        <Input
          type="search"
          aria-label={`Filter ${legend.toLowerCase()}`}
          placeholder="Filter services"
          value={filter}
          onChange={(e) => { setFilter(e.target.value); }}
        />
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm font-medium text-destructive" data-field-error>
          {error}
        </p>
      ) : null}
      {services === undefined ? (
        <Skeleton className="h-32" />
      ) : options.length === 0 ? (
        <p className="text-sm text-muted-foreground">No other services yet.</p>
      ) : (
        <ul className="grid max-h-72 gap-1 overflow-y-auto rounded-md border p-1.5 sm:grid-cols-2">
          {shown.map((s) => {
            const checked = selected.includes(s.slug);
            const itemError = itemErrors?.get(s.slug);
            const inputId = `${id}-${s.slug}`;
            return (
              <li key={s.slug} className={cn('rounded-md px-2 py-1.5', checked && 'bg-accent', itemError && 'ring-1 ring-destructive')}>
                <label htmlFor={inputId} className="flex cursor-pointer items-center gap-2 text-sm">
                  <input
                    id={inputId}
                    type="checkbox"
                    name={name}
                    value={s.slug}
                    checked={checked}
                    onChange={(e) => { toggle(s.slug, e.target.checked); }}
                    aria-invalid={itemError ? true : undefined}
                    aria-describedby={itemError ? `${inputId}-error` : undefined}
                    className="size-4 accent-primary"
                  />
                  <StatusDot status={s.status} />
                  <span className="min-w-0 flex-1 truncate">
                    {s.name} <span className="font-mono text-xs text-muted-foreground">{s.slug}</span>
                    <span className="sr-only">, {STATUS_LOOK[s.status].label}</span>
                  </span>
                  <TierBadge tier={s.tier} />
                </label>
                {itemError ? (
                  <p id={`${inputId}-error`} className="mt-1 pl-6 text-xs font-medium text-destructive" data-field-error>
                    {itemError}
                  </p>
                ) : null}
              </li>
            );
          })}
          {shown.length === 0 ? <li className="px-2 py-1.5 text-sm text-muted-foreground">No service matches “{filter}”.</li> : null}
        </ul>
      )}
    </fieldset>
  );
}
