import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { ARTIFACTS, restWithKey, screenshot, signInWithForm, useBrowser } from './browser.js';
import { createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();

/** Invites a user on the Users page (as the admin) and returns the generated password it shows once. */
async function inviteUser(email: string, role: 'operator' | 'viewer'): Promise<string> {
  const page = await browser.open('/users');
  const form = page.getByRole('form', { name: 'Invite a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill('New Operator');
  await form.getByLabel('Role', { exact: true }).selectOption(role);
  await form.getByRole('button', { name: 'Invite user' }).click();
  const dialog = page.getByTestId('secret-dialog');
  await dialog.waitFor();
  const password = (await dialog.getByTestId('secret-value').textContent()) ?? '';
  await dialog.getByRole('button', { name: 'I’ve copied it' }).click();
  await page.locator(`[data-testid="user-row"][data-email="${email}"]`).waitFor();
  await page.context().close();
  return password;
}

/** Creates a key on the API keys page, copies its secret with the copy button, and returns it. */
async function createKey(page: Page, name: string, scopes: string[]): Promise<string> {
  const form = page.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Name').fill(name);
  for (const scope of scopes) await form.getByRole('checkbox', { name: new RegExp(`^${scope}`) }).check();
  await form.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByTestId('secret-dialog');
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain('you won’t see it again');
  const shown = (await dialog.getByTestId('secret-value').textContent()) ?? '';
  await screenshot(page, `api-key-created-${name}`, 'light');
  await dialog.getByRole('button', { name: 'Copy API key' }).click();
  await dialog.getByRole('button', { name: 'Copied API key' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  await dialog.getByRole('button', { name: 'I’ve copied it' }).click();
  await dialog.waitFor({ state: 'detached' });
  // Gone for good: the page shows only the prefix from now on.
  expect(await page.getByText(shown).count()).toBe(0);
  return copied;
}

describe.skipIf(inject('browserMissing'))('the identity journey', () => {
  it('a new user signs in, creates an API key, uses it in Swagger UI, and a narrow key is held to its scope', async () => {
    const email = `${uniqueSlug('newbie')}@example.com`;
    const password = await inviteUser(email, 'operator');
    expect(password.length).toBeGreaterThanOrEqual(12);

    // The new user signs in and finds the API keys page in the navigation.
    const page = await browser.open('/', 'light', null);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inject('dashboardUrl') });
    await signInWithForm(page, email, password);
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL((url) => url.pathname === '/api-keys');

    // Only the user's own scopes are offered.
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByRole('checkbox').first().waitFor();
    const offered = await form.getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(offered).toContain('services:read');
    expect(offered).not.toContain('users:manage');
    expect(offered).not.toContain('audit:read');

    const readKey = await createKey(page, 'swagger-reader', ['services:read']);
    expect(readKey).toMatch(/^bst_/);
    const row = page.locator('[data-testid="api-key-row"][data-name="swagger-reader"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('active');
    expect(readKey.startsWith((await row.locator('td').nth(1).textContent())?.replace('…', '') ?? '-')).toBe(true);

    // Swagger UI, in a browser with no session at all: only the key can make the call succeed.
    const docs = await browser.open('/docs', 'light', null);
    const operation = docs.locator('#operations-services-services-list');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    await operation.locator('.live-responses-table tbody .response-col_status').first().waitFor();
    expect((await operation.locator('.live-responses-table tbody .response-col_status').first().textContent())?.trim()).toBe('401');

    await docs.locator('.auth-wrapper .authorize').click();
    const apiKeyAuth = docs.locator('.auth-container').filter({ hasText: 'X-API-Key' });
    await apiKeyAuth.locator('input').fill(readKey);
    await apiKeyAuth.getByRole('button', { name: 'Apply credentials' }).click();
    await apiKeyAuth.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await apiKeyAuth.getByRole('button', { name: 'Close' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    await docs.waitForFunction(
      () => document.querySelector('#operations-services-services-list .live-responses-table tbody .response-col_status')?.textContent.trim() === '200',
    );
    expect(await operation.locator('.live-responses-table tbody .response-col_description').first().textContent()).toContain('"items"');
    // The operation only: the whole Swagger page is several screens tall.
    await operation.screenshot({ path: join(ARTIFACTS, 'docs-authorized-try-it-out.png') });
    await docs.context().close();

    // A key that may only report heartbeats does exactly that over REST.
    const heartbeatKey = await createKey(page, 'monitor-only', ['heartbeats:write']);
    const slug = uniqueSlug('key-scope');
    await createService(slug, { name: 'Key scope probe' });
    const beat = await restWithKey(heartbeatKey, 'POST', `/services/${slug}/heartbeats`, { status: 'up', latencyMs: 12 });
    expect(beat.status).toBe(201);
    const declare = await restWithKey(heartbeatKey, 'POST', '/incidents', {
      title: 'Should be refused',
      severity: 'sev3',
      serviceSlugs: [slug],
      message: 'A heartbeat key may not declare incidents.',
    });
    expect(declare.status).toBe(403);
    expect(declare.headers.get('content-type')).toContain('application/problem+json');

    // The page shows the key was used; revoking it (after confirming) stops it at once.
    const monitorRow = page.locator('[data-testid="api-key-row"][data-name="monitor-only"]');
    await monitorRow.getByText(/ago|just now/).waitFor({ timeout: 10_000 });
    await monitorRow.getByRole('button', { name: 'Revoke monitor-only' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.locator('[data-testid="api-key-row"][data-name="monitor-only"][data-state="revoked"]').waitFor();
    const afterRevoke = await restWithKey(heartbeatKey, 'POST', `/services/${slug}/heartbeats`, { status: 'up', latencyMs: 12 });
    expect(afterRevoke.status).toBe(401);
    await page.context().close();
  });
});
