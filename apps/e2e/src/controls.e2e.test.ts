import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { api, restWithKey, screenshot, useBrowser } from './browser.js';

const browser = useBrowser();

/** Polls `call` until `done` holds: a control reaches every instance within 2 s, not at once. */
async function eventually(call: () => Promise<Response>, done: (r: Response) => boolean, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call();
    if (done(response) || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const incidentsWithAdminKey = () => restWithKey(inject('adminApiKey'), 'GET', '/incidents');

/** Sets a switch row's state from its select. */
async function setState(page: Page, target: string, state: 'on' | 'off' | 'read-only') {
  await page.locator(`[data-testid="switch-row"][data-target="${target}"]`).getByLabel(`State of ${target}`).selectOption(state);
}

describe.skipIf(inject('browserMissing'))('the controls page', () => {
  it('an operator switches the incidents module off (REST answers 503 module-disabled with Retry-After) and on again', async () => {
    const page = await browser.open('/controls', 'light', 'operator');
    try {
      const row = page.locator('[data-testid="switch-row"][data-target="incidents"]');
      await row.waitFor();
      expect(await row.getAttribute('data-state')).toBe('on');

      await setState(page, 'incidents', 'off');
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('heading', { name: 'Switch off incidents?' }).waitFor();
      await dialog.getByLabel('Reason').fill('e2e: incidents under maintenance');
      await dialog.getByLabel('Retry-After (seconds)').fill('90');
      await screenshot(page, 'controls-switch-off-dialog', 'light');
      await dialog.getByRole('button', { name: 'Switch off' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator('[data-testid="switch-row"][data-target="incidents"][data-state="off"]').waitFor();
      expect(await row.textContent()).toContain('e2e: incidents under maintenance');

      const refused = await eventually(incidentsWithAdminKey, (r) => r.status === 503);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.headers.get('retry-after')).toBe('90');
      const problem = (await refused.json()) as { type: string };
      expect(problem.type).toMatch(/\/problems\/module-disabled$/);
      await page.getByRole('table', { name: 'Recent changes' }).getByText('controls.switches.set').first().waitFor();
      await screenshot(page, 'controls-incidents-off', 'light');

      await setState(page, 'incidents', 'on');
      await page.locator('[data-testid="switch-row"][data-target="incidents"][data-state="on"]').waitFor();
      expect((await eventually(incidentsWithAdminKey, (r) => r.status === 200)).status).toBe(200);
    } finally {
      // Never leave the module off for the files after this one.
      const controls = await api<{ switches: { target: string }[] }>('GET', '/controls');
      if (controls.switches.some((s) => s.target === 'incidents')) await api('DELETE', '/controls/switches/incidents');
      await page.context().close();
    }
  });

  it('blocks an API key and lifts the block; refuses a bad range on its field', async () => {
    const key = await api<{ id: string; secret: string }>('POST', '/api-keys', { name: 'e2e-blockable', scopes: ['services:read'] });
    expect((await restWithKey(key.secret, 'GET', '/services')).status).toBe(200);
    const page = await browser.open('/controls', 'light', 'admin');
    try {
      const form = page.getByRole('form', { name: 'Add a block' });
      await form.waitFor();

      // The server's validation lands on the value field.
      await form.getByLabel('Value').fill('not-an-address');
      await form.getByRole('button', { name: 'Block' }).click();
      await form.locator('input[name="value"][aria-invalid="true"]').waitFor();
      expect(await form.textContent()).toContain('CIDR');
      await screenshot(page, 'controls-block-invalid', 'light');

      await form.getByLabel('Kind').selectOption('apiKey');
      await form.getByLabel('Value').fill(key.id);
      await form.getByLabel('Reason').fill('e2e: leaked key');
      await form.getByRole('button', { name: 'Block' }).click();
      const row = page.locator(`[data-testid="block-row"][data-value="${key.id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('e2e: leaked key');
      expect((await eventually(() => restWithKey(key.secret, 'GET', '/services'), (r) => r.status === 403)).status).toBe(403);
      await screenshot(page, 'controls-key-blocked', 'light');

      await row.getByRole('button', { name: `Remove the block on ${key.id}` }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Lift block' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await eventually(() => restWithKey(key.secret, 'GET', '/services'), (r) => r.status === 200)).status).toBe(200);
    } finally {
      await page.context().close();
    }
  });

  it('throttles one procedure from the page (429 over the limit, per caller) and removes the limit', async () => {
    const key = await api<{ secret: string }>('POST', '/api-keys', { name: 'e2e-throttled', scopes: ['incidents:read'] });
    const listIncidents = () => restWithKey(key.secret, 'GET', '/incidents');
    const page = await browser.open('/controls', 'light', 'operator');
    try {
      const form = page.getByRole('form', { name: 'Add a per-target limit' });
      await form.waitFor();
      await form.getByLabel('Module or procedure').selectOption('incidents.list');
      await form.getByLabel('Requests a minute').fill('2');
      await form.getByLabel('Reason').fill('e2e: flood drill');
      await form.getByRole('button', { name: 'Set limit' }).click();
      const row = page.locator('[data-testid="target-limit-row"][data-target="incidents.list"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('e2e: flood drill');

      const limited = await eventually(listIncidents, (r) => (r.headers.get('ratelimit-policy') ?? '').includes('"target-incidents.list";q=2;w=60'));
      expect(limited.headers.get('ratelimit-policy')).toContain('"target-incidents.list";q=2;w=60');
      const refused = await eventually(listIncidents, (r) => r.status === 429, 5_000);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { type: string }).type).toMatch(/\/problems\/rate-limited$/);
      await screenshot(page, 'controls-target-limit', 'light');

      await row.getByRole('button', { name: 'Remove the limit on incidents.list' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await eventually(listIncidents, (r) => r.status === 200)).status).toBe(200);
    } finally {
      const controls = await api<{ targetLimits: { target: string }[] }>('GET', '/controls');
      if (controls.targetLimits.some((l) => l.target === 'incidents.list')) await api('DELETE', '/controls/target-limits/incidents.list');
      await page.context().close();
    }
  });

  it('blocks an IP range and removes it', async () => {
    const page = await browser.open('/controls', 'light', 'admin');
    try {
      const form = page.getByRole('form', { name: 'Add a block' });
      await form.getByLabel('Kind').selectOption('ip');
      // A documentation range (RFC 5737): nothing in the run comes from it.
      await form.getByLabel('Value').fill('198.51.100.7/24');
      await form.getByRole('button', { name: 'Block' }).click();
      const row = page.locator('[data-testid="block-row"][data-value="198.51.100.0/24"]');
      await row.waitFor();
      await row.getByRole('button', { name: 'Remove the block on 198.51.100.0/24' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Lift block' }).click();
      await row.waitFor({ state: 'detached' });
    } finally {
      await page.context().close();
    }
  });
});

describe.skipIf(inject('browserMissing'))('the traffic page', () => {
  it('shows the charts and the busiest procedures after some requests', async () => {
    for (let i = 0; i < 10; i++) await api('GET', '/services');
    const page = await browser.open('/traffic');
    try {
      const busiest = page.getByRole('table', { name: 'Busiest procedures' });
      // Buckets are 10 s: the requests above show once their bucket is recorded.
      await busiest.getByText('services.list').waitFor({ timeout: 30_000 });
      await page.locator('.recharts-surface').first().waitFor();
      expect(await page.locator('.recharts-surface').count()).toBeGreaterThanOrEqual(4);
      await screenshot(page, 'traffic', 'light');
    } finally {
      await page.context().close();
    }
  });

  it('names the key behind a flood and leads to revoking it; an address leads to the block list, filled in', async () => {
    // A key of its own, so its row is this test's; its id is what the Traffic page links with.
    const created = await api<{ id: string; secret: string }>('POST', '/api-keys', { name: 'e2e-flooder', scopes: ['services:read'] });
    for (let i = 0; i < 15; i++) await restWithKey(created.secret, 'GET', '/services');
    await fetch(new URL('/api/v1/services', inject('apiUrl'))); // anonymous: 401, counted by address
    const page = await browser.open('/traffic');
    try {
      const callers = page.getByRole('table', { name: 'Top callers' });
      const row = callers.getByRole('row').filter({ hasText: 'e2e-flooder' });
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('link', { name: 'Revoke key' }).click();
      await page.waitForURL(`**/api-keys?key=${created.id}`);
      const marked = page.locator('[data-testid="api-key-row"][aria-current="true"]');
      await marked.waitFor();
      expect(await marked.getAttribute('data-name')).toBe('e2e-flooder');
      await marked.getByRole('button', { name: 'Revoke e2e-flooder' }).waitFor();

      await page.goto(new URL('/traffic', inject('dashboardUrl')).toString());
      const address = page.getByRole('table', { name: 'Top callers' }).locator('[data-testid="top-caller"][data-kind="ip"]').first();
      await address.waitFor({ timeout: 30_000 });
      await address.getByRole('link', { name: 'Block address' }).click();
      await page.waitForURL('**/controls?**');
      const value = page.getByRole('form', { name: 'Add a block' }).locator('input[name="value"]');
      await value.waitFor();
      expect(await value.inputValue()).toMatch(/^[\d.:a-f]+$/);
    } finally {
      await page.context().close();
    }
  });

  it('appears in the navigation for an operator, and Controls too', async () => {
    const page = await browser.open('/', 'light', 'operator');
    try {
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Traffic' }).waitFor();
      await nav.getByRole('link', { name: 'Controls' }).waitFor();
    } finally {
      await page.context().close();
    }
  });
});
