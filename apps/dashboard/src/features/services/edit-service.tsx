'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trash } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { PageHeader } from '@/components/page-header';
import { describeQueryError, EmptyState, QueryError } from '@/components/states';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { isNotFound } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import { ServiceForm } from './service-form';

export function EditService({ slug }: { slug: string }) {
  const trpc = useTRPC();
  // Read once: polling would not change the values being edited anyway.
  const query = useQuery({ ...trpc.services.get.queryOptions({ slug }), refetchInterval: false, refetchOnWindowFocus: false });

  if (query.isPending) return <Skeleton className="h-96" />;
  if (query.isError) {
    if (isNotFound(query.error)) {
      return (
        <EmptyState
          title={`No service “${slug}”`}
          action={
            <Button asChild>
              <Link href="/services">All services</Link>
            </Button>
          }
        >
          It may have been deleted.
        </EmptyState>
      );
    }
    return <QueryError error={query.error} what="the service" onRetry={() => void query.refetch()} />;
  }
  const service = query.data;
  return (
    <div className="space-y-8">
      <PageHeader title={`Edit ${service.name}`} description={<span className="font-mono">{service.slug}</span>} />
      <ServiceForm key={service.id} service={service} />
      <DeleteService slug={service.slug} name={service.name} />
    </div>
  );
}

function DeleteService({ slug, name }: { slug: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const remove = useMutation(
    trpc.services.delete.mutationOptions({
      onSuccess: async () => {
        queryClient.removeQueries({ queryKey: trpc.services.get.queryKey({ slug }) });
        await queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.status.pathKey() });
        router.push('/services');
      },
    }),
  );
  return (
    <Card className="max-w-3xl border-destructive/40" aria-labelledby="danger-title">
      <CardHeader>
        <div>
          <CardTitle id="danger-title">Delete this service</CardTitle>
          <CardDescription>Removes it and its heartbeats. Refused while other services depend on it.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <AlertDialog.Root onOpenChange={() => { remove.reset(); }}>
          <AlertDialog.Trigger asChild>
            <Button variant="destructive">
              <Trash aria-hidden /> Delete service
            </Button>
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
            <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-card p-6 shadow-lg">
              <AlertDialog.Title className="text-lg font-semibold">Delete {name}?</AlertDialog.Title>
              <AlertDialog.Description className="text-sm text-muted-foreground">
                Its heartbeat history goes with it. Incidents keep naming it. This cannot be undone.
              </AlertDialog.Description>
              {remove.isError ? (
                <p role="alert" className="rounded-md border border-destructive/50 bg-destructive/10 px-3 py-2 text-sm">
                  {describeQueryError(remove.error)}
                </p>
              ) : null}
              <div className="flex justify-end gap-2">
                <AlertDialog.Cancel className={buttonVariants({ variant: 'outline' })}>Keep it</AlertDialog.Cancel>
                <Button
                  variant="destructive"
                  disabled={remove.isPending}
                  onClick={() => { remove.mutate({ slug }); }}
                >
                  {remove.isPending ? 'Deleting…' : 'Delete'}
                </Button>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      </CardContent>
    </Card>
  );
}
