import { type ReactElement, cloneElement, useId } from 'react';
import { cn } from '@/lib/cn';

interface FieldProps {
  label: string;
  /** A hint under the label. */
  description?: string;
  error?: string | undefined;
  className?: string;
  /** The control: gets `id`, `aria-invalid` and `aria-describedby` wired to the label, hint and error. */
  children: ReactElement<{ id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }>;
}

/** A labelled form control with its hint and its error, announced together by screen readers. */
export function Field({ label, description, error, className, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [description ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cn('grid content-start gap-1.5', className)}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {description ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {description}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-destructive" data-field-error>
          {error}
        </p>
      ) : null}
    </div>
  );
}
