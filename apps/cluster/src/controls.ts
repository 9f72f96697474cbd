import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The runtime controls as the cluster tests change them: over REST on one instance's own URL, so
 * whatever another instance enforces afterwards reached it through Redis or its poll of the database.
 */

/** The admin's headers without a JSON content type: a DELETE or GET has no body, and an empty JSON body is refused. */
function withoutBody(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
}

async function expectStatus(response: Response, expected: number, what: string): Promise<void> {
  if (response.status !== expected) throw new Error(`${what}: expected ${expected}, got ${response.status} ${await response.text()}`);
}

/** Switches `target` (a module or procedure) off, telling refused callers to retry after `retryAfterSeconds`. */
export async function switchOff(instanceUrl: string, adminHeaders: Record<string, string>, target: string, retryAfterSeconds: number): Promise<void> {
  const response = await fetch(`${instanceUrl}/api/v1/controls/switches/${encodeURIComponent(target)}`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify({ state: 'off', reason: 'cluster drill', retryAfterSeconds }),
  });
  await expectStatus(response, 200, `switching ${target} off`);
}

/** Removes the switch on `target`; a switch already gone (404) is fine, so cleanup may always call it. */
export async function clearSwitch(instanceUrl: string, adminHeaders: Record<string, string>, target: string): Promise<void> {
  const response = await fetch(`${instanceUrl}/api/v1/controls/switches/${encodeURIComponent(target)}`, { method: 'DELETE', headers: withoutBody(adminHeaders) });
  if (response.status === 404) return;
  await expectStatus(response, 204, `clearing the switch on ${target}`);
}

interface ClassLimits {
  read: number;
  write: number;
  auth: number;
}

/** Sets the signed-in callers' read limit (per minute), keeping every other limit in force. */
export async function limitPrincipalReads(instanceUrl: string, adminHeaders: Record<string, string>, perMinute: number): Promise<void> {
  const current = await fetch(`${instanceUrl}/api/v1/controls`, { headers: withoutBody(adminHeaders) });
  await expectStatus(current, 200, 'reading the controls');
  const { rateLimits } = (await current.json()) as { rateLimits: { anonymous: ClassLimits; principal: ClassLimits } };
  const response = await fetch(`${instanceUrl}/api/v1/controls/rate-limits`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify({ anonymous: rateLimits.anonymous, principal: { ...rateLimits.principal, read: perMinute } }),
  });
  await expectStatus(response, 200, 'setting the rate limits');
}

/** Restores the start-up rate limits. */
export async function resetRateLimits(instanceUrl: string, adminHeaders: Record<string, string>): Promise<void> {
  const response = await fetch(`${instanceUrl}/api/v1/controls/rate-limits`, { method: 'DELETE', headers: withoutBody(adminHeaders) });
  await expectStatus(response, 204, 'resetting the rate limits');
}

/**
 * Waits until `instanceUrl` counts signed-in reads against `perMinute`, as its `RateLimit-Policy`
 * header on `GET /services` says (refused or not), for up to `timeoutMs`. `probeHeaders` should be a
 * caller whose budget the test does not count.
 */
export async function waitForReadLimit(instanceUrl: string, probeHeaders: Record<string, string>, perMinute: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let policy: string | null = null;
  while (Date.now() < deadline) {
    const response = await fetch(`${instanceUrl}/api/v1/services?limit=1`, { headers: probeHeaders });
    await response.arrayBuffer();
    policy = response.headers.get('ratelimit-policy');
    if (policy === `"principal-read";q=${perMinute};w=60`) return;
    await sleep(50);
  }
  throw new Error(`${instanceUrl} still counts reads as ${policy ?? '(no RateLimit-Policy)'} after ${timeoutMs} ms, not q=${perMinute}`);
}

/** One answer, as the rate-limit tests look at it. */
export interface Answer {
  status: number;
  contentType: string | null;
  problemType: string | undefined;
  retryAfter: string | null;
  rateLimit: string | null;
  rateLimitPolicy: string | null;
}

/** `GET /services` with `headers`, reduced to what the rate-limit tests assert on. */
export async function readServices(url: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}/api/v1/services?limit=1`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    problemType: response.ok ? undefined : (JSON.parse(text) as { type?: string }).type,
    retryAfter: response.headers.get('retry-after'),
    rateLimit: response.headers.get('ratelimit'),
    rateLimitPolicy: response.headers.get('ratelimit-policy'),
  };
}

/** Throttles `target` (a module or procedure) to `perMinute` requests a minute per caller. */
export async function limitTarget(url: string, headers: Record<string, string>, target: string, perMinute: number, reason: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/controls/target-limits/${encodeURIComponent(target)}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ perMinute, reason }),
  });
  await expectStatus(response, 200, `limiting ${target}`);
}

/**
 * Polls `probe` every 25 ms until `done` holds for its answer, for at most `timeoutMs` (a control
 * reaches every instance within 2 s); returns the last answer and how long it took.
 */
export async function eventually(probe: () => Promise<Response>, done: (response: Response) => boolean, timeoutMs = 2_000): Promise<{ response: Response; ms: number }> {
  const started = Date.now();
  for (;;) {
    const response = await probe();
    const ms = Date.now() - started;
    if (done(response) || ms > timeoutMs) return { response, ms };
    await response.arrayBuffer();
    await sleep(25);
  }
}
