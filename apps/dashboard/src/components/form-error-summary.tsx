import { TriangleExclamationPoint } from 'lucide-react';
import type { FormErrors } from '@/lib/form-errors';
import { fieldOf } from '@/lib/form-errors';

/**
 * The errors of a failed submit in one place at the top of the form, announced to screen
 * readers; each field also shows its own under it.
 */
export function FormErrorSummary({ errors, labels }: { errors: FormErrors; labels: Record<string, string> }) {
  if (!errors.form && errors.fields.length === 0) return null;
  return (
    <div
      role="alert"
      tabIndex={-1}
      data-form-error
      className="flex gap-3 rounded-lg border border-destructive/50 bg-destructive/10 px-4 py-3 text-sm outline-none"
    >
      <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
      <div className="space-y-1">
        {errors.form ? <p className="font-medium">{errors.form}</p> : null}
        {errors.fields.length > 0 ? (
          <>
            <p className="font-medium">
              {errors.fields.length === 1 ? 'One field needs attention:' : `${errors.fields.length} fields need attention:`}
            </p>
            <ul className="list-disc pl-5">
              {errors.fields.map((e) => (
                <li key={`${e.pointer}:${e.detail}`}>
                  <span className="font-medium">{labels[fieldOf(e.pointer)] ?? fieldOf(e.pointer)}</span>: {e.detail}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </div>
  );
}
