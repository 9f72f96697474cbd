import { describe, inject, it } from 'vitest';
import { useBrowser } from './browser.js';
import { beat, createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('incidents', () => {
  it('declares an incident, posts an update and resolves it, and the overview follows', async () => {
    const slug = uniqueSlug('e2e-incident');
    await createService(slug, { name: 'E2E incident target' });
    await beat(slug, 'up');
    const title = `Checkout failing ${slug}`;

    const page = await browser.open(`/incidents/new?service=${slug}`);
    const form = page.getByRole('form', { name: 'Declare an incident' });
    await form.getByRole('checkbox', { name: /E2E incident target/ }).waitFor();
    await form.getByLabel('Title').fill(title);
    await form.getByRole('radio', { name: /SEV1/ }).check();
    await form.getByLabel('First update').fill('Card payments fail with HTTP 502.');
    await form.getByRole('button', { name: 'Declare incident' }).click();
    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();

    const overview = await browser.open('/');
    const openIncident = overview.getByTestId('open-incident').filter({ hasText: title });
    await openIncident.waitFor();
    await overview.locator(`[data-testid="service-tile"][data-slug="${slug}"][data-status="major_outage"]`).waitFor({ timeout: 6_000 });

    await page.getByLabel('New status').selectOption('identified');
    await page.getByLabel('Update', { exact: true }).fill('A bad deploy of the card gateway; rolling back.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.locator('[data-testid="timeline-entry"]').nth(1).waitFor();
    await page.getByTestId('timeline').getByText('A bad deploy of the card gateway').waitFor();

    await page.getByRole('button', { name: 'Resolve incident' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.locator('[data-testid="incident-detail"][data-status="resolved"]').waitFor();
    await page.locator('[data-testid="timeline-entry"]').nth(2).waitFor();

    await openIncident.waitFor({ state: 'detached', timeout: 6_000 });
    await overview.locator(`[data-testid="service-tile"][data-slug="${slug}"][data-status="operational"]`).waitFor({ timeout: 6_000 });
    await overview.context().close();
    await page.context().close();
  });
});
