'use client';

import { useSyncExternalStore } from 'react';
import { CopyButton } from '@/components/copy-button';

export interface CurlExample {
  title: string;
  description: string;
  command: string;
}

const subscribe = () => () => {};

/** This page's origin in the browser; the server renders a placeholder. */
function useOrigin(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.origin,
    () => 'http://localhost:3000',
  );
}

/** Shell snippets for the REST API, each with a copy button; `$BASTION_URL` is this dashboard. */
export function CurlExamples({ examples }: { examples: readonly CurlExample[] }) {
  const origin = useOrigin();
  const setup = `export BASTION_URL=${origin}`;
  return (
    <div className="space-y-5">
      <Snippet title="Point your shell at this Bastion" description="The dashboard forwards /api to the API server, so its address works for both." command={setup} />
      {examples.map((e) => (
        <Snippet key={e.title} {...e} />
      ))}
    </div>
  );
}

function Snippet({ title, description, command }: CurlExample) {
  return (
    <section className="rounded-lg border bg-card" aria-label={title}>
      <div className="flex flex-wrap items-center justify-between gap-2 border-b px-4 py-2.5">
        <div>
          <h3 className="text-sm font-semibold">{title}</h3>
          <p className="text-xs text-muted-foreground">{description}</p>
        </div>
        <CopyButton text={command} label={`the command: ${title}`} />
      </div>
      <pre className="overflow-x-auto px-4 py-3 font-mono text-xs leading-relaxed" tabIndex={0} aria-label={`Command: ${title}`}>
        <code>{command}</code>
      </pre>
    </section>
  );
}
