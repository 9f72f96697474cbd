'use client';

import { createServiceInput, updateServiceInput } from '@bastion/api/services/schema';
import type { Service, ServiceTier } from '@bastion/api/services/schema';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { SubmitEvent } from 'react';
import { FormErrorSummary } from '@/components/form-error-summary';
import { ServicePicker } from '@/components/service-picker';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { useFleet } from '@/hooks/use-fleet';
import { useSchemaForm } from '@/hooks/use-schema-form';
import { itemErrors, messageFor } from '@/lib/form-errors';
import { TIER_LOOK } from '@/lib/status';
import { useTRPC } from '@/lib/trpc';

export interface ServiceFormValues extends Record<string, unknown> {
  slug: string;
  name: string;
  description: string;
  owner: string;
  tier: ServiceTier;
  heartbeatIntervalSeconds: string;
  dependsOn: string[];
}

export const SERVICE_FIELD_LABELS: Record<keyof ServiceFormValues & string, string> = {
  slug: 'Slug',
  name: 'Name',
  description: 'Description',
  owner: 'Owner',
  tier: 'Tier',
  heartbeatIntervalSeconds: 'Heartbeat interval',
  dependsOn: 'Depends on',
};
const FIELDS = Object.keys(SERVICE_FIELD_LABELS);

export const EMPTY_SERVICE: ServiceFormValues = {
  slug: '',
  name: '',
  description: '',
  owner: '',
  tier: 'medium',
  heartbeatIntervalSeconds: '60',
  dependsOn: [],
};

/** The form's values for an existing service. */
export function serviceToValues(service: Service): ServiceFormValues {
  return {
    slug: service.slug,
    name: service.name,
    description: service.description,
    owner: service.owner,
    tier: service.tier,
    heartbeatIntervalSeconds: String(service.heartbeatIntervalSeconds),
    dependsOn: [...service.dependsOn],
  };
}

/**
 * Form values → the procedure input. The interval is typed as text; an empty box means "not
 * given" (the default applies) and anything else goes through as a number for zod to judge.
 */
export function serviceValuesToInput(values: ServiceFormValues) {
  const interval = values.heartbeatIntervalSeconds.trim();
  return {
    slug: values.slug.trim(),
    name: values.name,
    description: values.description,
    owner: values.owner,
    tier: values.tier,
    dependsOn: values.dependsOn,
    ...(interval === '' ? {} : { heartbeatIntervalSeconds: Number(interval) }),
  };
}

const TIERS = Object.keys(TIER_LOOK) as ServiceTier[];

/** Create (no `service`) or edit a service, validated by the API's own zod schemas. */
export function ServiceForm({ service }: { service?: Service }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const fleet = useFleet();
  const editing = service !== undefined;
  const form = useSchemaForm(service ? serviceToValues(service) : EMPTY_SERVICE, {
    schema: editing ? updateServiceInput : createServiceInput,
    toInput: serviceValuesToInput,
    fields: FIELDS,
    conflictPointer: '/slug',
  });

  const onSaved = async (saved: Service) => {
    queryClient.setQueryData(trpc.services.get.queryKey({ slug: saved.slug }), saved);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.status.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.heartbeats.strip.pathKey() }),
    ]);
    router.push(`/services/${saved.slug}`);
  };
  const create = useMutation(trpc.services.create.mutationOptions({ onSuccess: onSaved, onError: form.fail }));
  const update = useMutation(trpc.services.update.mutationOptions({ onSuccess: onSaved, onError: form.fail }));
  const pending = create.isPending || update.isPending;

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const input = form.check();
    if (!input) return;
    if (editing) update.mutate(updateServiceInput.parse(input));
    else create.mutate(createServiceInput.parse(input));
  }

  const { values, errors } = form;
  return (
    <form id={form.formId} noValidate onSubmit={submit} className="grid max-w-3xl gap-5" aria-label={editing ? `Edit ${service.name}` : 'New service'}>
      <FormErrorSummary errors={errors} labels={SERVICE_FIELD_LABELS} />
      <div className="grid gap-5 sm:grid-cols-2">
        {editing ? (
          <div className="grid gap-1.5">
            <span className="text-sm font-medium">Slug</span>
            <p className="font-mono text-sm">{values.slug}</p>
            <p className="text-xs text-muted-foreground">Slugs are permanent: monitors and incidents refer to them.</p>
          </div>
        ) : (
          <Field label="Slug" description="Lowercase kebab-case, e.g. payments-api. Permanent." error={messageFor(errors.fields, 'slug')}>
            <Input
              name="slug"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              value={values.slug}
              onChange={(e) => { form.set('slug', e.target.value); }}
            />
          </Field>
        )}
        <Field label="Name" error={messageFor(errors.fields, 'name')}>
          <Input name="name" value={values.name} onChange={(e) => { form.set('name', e.target.value); }} />
        </Field>
        <Field label="Tier" description="How much the business depends on it." error={messageFor(errors.fields, 'tier')}>
          <NativeSelect name="tier" value={values.tier} onChange={(e) => { form.set('tier', e.target.value as ServiceTier); }}>
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {TIER_LOOK[t].label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="Owner" description="The team that answers for it." error={messageFor(errors.fields, 'owner')}>
          <Input name="owner" value={values.owner} onChange={(e) => { form.set('owner', e.target.value); }} />
        </Field>
        <Field
          label="Heartbeat interval (seconds)"
          description="How often monitors report; 3 missed intervals make the status unknown."
          error={messageFor(errors.fields, 'heartbeatIntervalSeconds')}
        >
          <Input
            name="heartbeatIntervalSeconds"
            type="number"
            inputMode="numeric"
            min={5}
            max={86400}
            value={values.heartbeatIntervalSeconds}
            onChange={(e) => { form.set('heartbeatIntervalSeconds', e.target.value); }}
          />
        </Field>
      </div>
      <Field label="Description" error={messageFor(errors.fields, 'description')}>
        <Textarea name="description" rows={3} value={values.description} onChange={(e) => { form.set('description', e.target.value); }} />
      </Field>
      <ServicePicker
        legend="Depends on"
        name="dependsOn"
        description="The services this one calls. An outage of one of them degrades this service."
        services={fleet.services}
        selected={values.dependsOn}
        onChange={(next) => { form.set('dependsOn', next); }}
        {...(service ? { exclude: service.slug } : {})}
        error={itemErrors(errors.fields, 'dependsOn', values.dependsOn).get('')}
        itemErrors={itemErrors(errors.fields, 'dependsOn', values.dependsOn)}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : editing ? 'Save changes' : 'Create service'}
        </Button>
        <Button asChild variant="outline">
          <Link href={editing ? `/services/${service.slug}` : '/services'}>Cancel</Link>
        </Button>
      </div>
    </form>
  );
}
