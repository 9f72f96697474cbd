'use client';

import { useEffect, useId, useState } from 'react';
import type { z } from 'zod';
import { errorsFor, fieldOf, fromServerError, NO_ERRORS, validate, type FormErrors } from '@/lib/form-errors';

interface Options<V, S extends z.ZodType> {
  /** The API's own input schema (from `@bastion/api/<module>/schema`). */
  schema: S;
  /** Form values → the procedure input the schema checks. */
  toInput: (values: V) => unknown;
  /** Top-level fields the form shows; server errors pointing elsewhere become the form message. */
  fields: readonly (keyof V & string)[];
  /** Where a CONFLICT without pointers belongs (a duplicate slug → `/slug`). */
  conflictPointer?: string;
}

/**
 * Form state validated by the server's zod schema: nothing is sent that the server would refuse
 * on shape, and whatever it refuses anyway (a cycle, a duplicate) lands on the field it points
 * at. After the first submit, a field re-validates as it changes, so a fixed error goes away.
 */
export function useSchemaForm<V extends Record<string, unknown>, S extends z.ZodType>(
  initial: V,
  { schema, toInput, fields, conflictPointer }: Options<V, S>,
) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [submitted, setSubmitted] = useState(false);
  const [focusTick, setFocusTick] = useState(0);
  const formId = useId();

  // After a failed submit, move focus to the first invalid control (or the error summary).
  useEffect(() => {
    if (focusTick === 0) return;
    const form = document.getElementById(formId);
    const invalid = form?.querySelector<HTMLElement>(':is(input, select, textarea)[aria-invalid="true"]');
    (invalid ?? form?.querySelector<HTMLElement>('[data-form-error]'))?.focus();
  }, [focusTick, formId]);

  function set<K extends keyof V & string>(key: K, value: V[K]) {
    const next = { ...values, [key]: value };
    setValues(next);
    setErrors((previous) => {
      const others = previous.fields.filter((e) => fieldOf(e.pointer) !== key);
      if (!submitted) return { fields: others, form: previous.form };
      const result = validate(schema, toInput(next));
      return { fields: [...others, ...(result.success ? [] : errorsFor(result.errors, key))], form: previous.form };
    });
  }

  /** Validates for submit: the parsed input, or null after showing the errors. */
  function check(): z.output<S> | null {
    setSubmitted(true);
    const result = validate(schema, toInput(values));
    if (!result.success) {
      setErrors({ fields: result.errors, form: null });
      setFocusTick((t) => t + 1);
      return null;
    }
    setErrors(NO_ERRORS);
    return result.data;
  }

  /** Shows a failed mutation's errors on their fields. */
  function fail(error: unknown) {
    setErrors(fromServerError(error, { fields, ...(conflictPointer ? { conflictPointer } : {}) }));
    setFocusTick((t) => t + 1);
  }

  function reset(next: V = initial) {
    setValues(next);
    setErrors(NO_ERRORS);
    setSubmitted(false);
  }

    /** Pass as the `<form id>`. */
  return { values, set, setValues, errors, check, fail, reset, formId };
}
