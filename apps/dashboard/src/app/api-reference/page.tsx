import { BookOpen, ExternalLink, FileJson } from 'lucide-react';
import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { CurlExamples, type CurlExample } from '@/features/api-reference/curl-examples';

export const metadata: Metadata = { title: 'API' };

const JSON_HEADER = `-H 'content-type: application/json'`;

const EXAMPLES: CurlExample[] = [
  {
    title: 'Fleet status',
    description: 'The worst status, every service and every open incident.',
    command: `curl -s "$BASTION_URL/api/v1/status"`,
  },
  {
    title: 'Report a heartbeat',
    description: 'What monitors call: status up, degraded or down; latency and message optional.',
    command: `curl -s -X POST "$BASTION_URL/api/v1/services/payments-api/heartbeats" ${JSON_HEADER} \\\n  -d '{"status":"down","latencyMs":1200,"message":"HTTP 503 from /health"}'`,
  },
  {
    title: 'Services in a major outage',
    description: 'Filter by status, tier or free text (q); follow nextCursor for more.',
    command: `curl -s "$BASTION_URL/api/v1/services?status=major_outage&limit=20"`,
  },
  {
    title: 'One service and why it is in its state',
    description: 'statusReasons lists the incidents, heartbeats, silence and dependencies behind the status.',
    command: `curl -s "$BASTION_URL/api/v1/services/payments-api"`,
  },
  {
    title: 'Blast radius',
    description: 'Every service that depends on this one, directly or not, nearest first.',
    command: `curl -s "$BASTION_URL/api/v1/services/users-db/blast-radius"`,
  },
  {
    title: 'Add a service',
    description: 'Slugs are lowercase kebab-case; dependsOn names existing services.',
    command: `curl -s -X POST "$BASTION_URL/api/v1/services" ${JSON_HEADER} \\\n  -d '{"slug":"billing-api","name":"Billing API","tier":"high","owner":"team-billing","dependsOn":["users-db"]}'`,
  },
  {
    title: 'Declare an incident',
    description: 'Affected services take the severity as their status until it is resolved.',
    command: `curl -s -X POST "$BASTION_URL/api/v1/incidents" ${JSON_HEADER} \\\n  -d '{"title":"Checkout failing for card payments","severity":"sev1","serviceSlugs":["payments-api"],"message":"We are investigating."}'`,
  },
  {
    title: 'Post an update, or resolve',
    description: 'Use the incident id from the previous answer; status "resolved" closes it.',
    command: `curl -s -X POST "$BASTION_URL/api/v1/incidents/INCIDENT_ID/updates" ${JSON_HEADER} \\\n  -d '{"status":"resolved","message":"A fix is deployed; error rates are back to normal."}'`,
  },
  {
    title: 'Heartbeat strip',
    description: 'Per service, the worst heartbeat of each interval (here 24 hours in 30-minute buckets).',
    command: `curl -s "$BASTION_URL/api/v1/heartbeats/strip?hours=24&buckets=48"`,
  },
];

export default function ApiReferencePage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="API"
        description="Everything on this dashboard is also a REST call (and a typed tRPC procedure at /trpc). Errors are RFC 9457 problem details."
      />
      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <div>
              <CardTitle className="flex items-center gap-2">
                <BookOpen aria-hidden className="size-5" /> Interactive reference
              </CardTitle>
              <CardDescription>Every operation, its parameters and answers; try calls from the browser.</CardDescription>
            </div>
          </CardHeader>
          <CardContent>
            <a href="/docs" className="inline-flex items-center gap-1.5 font-medium text-primary underline-offset-4 hover:underline">
              Open the API docs (/docs) <ExternalLink aria-hidden className="size-4" />
            </a>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <div>
              <CardTitle className="flex items-center gap-2">
                <FileJson aria-hidden className="size-5" /> OpenAPI 3.1 document
              </CardTitle>
              <CardDescription>For client generators, gateways and contract tests.</CardDescription>
            </div>
          </CardHeader>
          <CardContent>
            <a href="/openapi.json" className="inline-flex items-center gap-1.5 font-medium text-primary underline-offset-4 hover:underline">
              Download /openapi.json <ExternalLink aria-hidden className="size-4" />
            </a>
          </CardContent>
        </Card>
      </div>
      <section aria-labelledby="curl-title" className="space-y-3">
        <h2 id="curl-title" className="text-lg font-semibold">
          Common calls
        </h2>
        <CurlExamples examples={EXAMPLES} />
      </section>
    </div>
  );
}
