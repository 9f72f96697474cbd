'use client';

import { createIncidentInput, type Incident, type IncidentSummary } from '@bastion/api/incidents/schema';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import type { SubmitEvent } from 'react';
import { FormErrorSummary } from '@/components/form-error-summary';
import { ServicePicker } from '@/components/service-picker';
import { SeverityBadge } from '@/components/status-badges';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { useFleet } from '@/hooks/use-fleet';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { cn } from '@/lib/cn';
import { itemErrors, messageFor } from '@/lib/form-errors';
import { SEVERITY_LOOK } from '@/lib/status';
import { useTRPC } from '@/lib/trpc';

type Severity = IncidentSummary['severity'];

export interface IncidentFormValues extends Record<string, unknown> {
  title: string;
  severity: Severity;
  serviceSlugs: string[];
  message: string;
}

const LABELS: Record<keyof IncidentFormValues & string, string> = {
  title: 'Title',
  severity: 'Severity',
  serviceSlugs: 'Affected services',
  message: 'First update',
};
const FIELDS = Object.keys(LABELS);
const SEVERITIES = Object.keys(SEVERITY_LOOK) as Severity[];

/** Declares an incident; `?service=slug` pre-selects the affected service. */
export function DeclareIncident() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const params = useSearchParams();
  const fleet = useFleet();
  const preselected = params.getAll('service');
  const form = useSchemaForm<IncidentFormValues, typeof createIncidentInput>(
    { title: '', severity: 'sev2', serviceSlugs: preselected, message: '' },
    { schema: createIncidentInput, toInput: (v) => v, fields: FIELDS },
  );
  const declare = useMutation(
    trpc.incidents.create.mutationOptions({
      onSuccess: async (incident: Incident) => {
        queryClient.setQueryData(trpc.incidents.get.queryKey({ id: incident.id }), incident);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.incidents.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.status.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
        ]);
        router.push(`/incidents/${incident.id}`);
      },
      onError: form.fail,
    }),
  );

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (input) declare.mutate(input);
  }

  const { values, errors } = form;
  const slugErrors = itemErrors(errors.fields, 'serviceSlugs', values.serviceSlugs);
  return (
    <form id={form.formId} noValidate onSubmit={submit} className="grid max-w-3xl gap-5" aria-label="Declare an incident">
      <FormErrorSummary errors={errors} labels={LABELS} />
      <Field label="Title" description="What is happening, in a line users would recognise." error={messageFor(errors.fields, 'title')}>
        <Input name="title" placeholder="Checkout failing for card payments" value={values.title} onChange={(e) => { form.set('title', e.target.value); }} />
      </Field>
      <fieldset className="grid gap-2">
        <legend className="mb-1.5 text-sm font-medium">Severity</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {SEVERITIES.map((severity) => (
            <label
              key={severity}
              className={cn(
                'flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring',
                values.severity === severity && 'border-primary bg-accent',
              )}
            >
              <input
                type="radio"
                name="severity"
                value={severity}
                checked={values.severity === severity}
                onChange={() => { form.set('severity', severity); }}
                className="mt-0.5 size-4 accent-primary"
              />
              <span className="grid gap-1">
                <SeverityBadge severity={severity} className="justify-self-start" />
                <span className="text-muted-foreground">{SEVERITY_LOOK[severity].description}</span>
              </span>
            </label>
          ))}
        </div>
        {messageFor(errors.fields, 'severity') ? (
          <p className="text-sm font-medium text-destructive">{messageFor(errors.fields, 'severity')}</p>
        ) : null}
      </fieldset>
      <ServicePicker
        legend="Affected services"
        name="serviceSlugs"
        description="Their status follows the incident's severity until it is resolved."
        services={fleet.services}
        selected={values.serviceSlugs}
        onChange={(next) => { form.set('serviceSlugs', next); }}
        error={slugErrors.get('')}
        itemErrors={slugErrors}
      />
      <Field label="First update" description="Shown first on the timeline." error={messageFor(errors.fields, 'message')}>
        <Textarea name="message" rows={4} placeholder="We are investigating elevated error rates." value={values.message} onChange={(e) => { form.set('message', e.target.value); }} />
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={declare.isPending}>
          {declare.isPending ? 'Declaring…' : 'Declare incident'}
        </Button>
        <Button asChild variant="outline">
          <Link href="/incidents">Cancel</Link>
        </Button>
      </div>
    </form>
  );
}
