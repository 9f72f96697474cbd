import { describe, inject, it, expect } from 'vitest';
import { useBrowser } from './browser.js';
import { beat, createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();

/**
 * The dashboard's promise, walked the way a new operator would: only clicks from the overview, no
 * URLs typed, no docs. Find the failing service, read why it fails, see what it takes down with
 * it, declare an incident from there and resolve it.
 */
describe.skipIf(inject('browserMissing'))('a new operator on call', () => {
  it('finds the failing service from the overview, sees why and its blast radius, declares and resolves an incident', async () => {
    const database = uniqueSlug('journey-db');
    const orders = uniqueSlug('journey-orders');
    const storefront = uniqueSlug('journey-shop');
    await createService(database, { name: `Journey DB ${database}`, tier: 'critical' });
    await createService(orders, { name: `Journey Orders ${orders}`, dependsOn: [database] });
    await createService(storefront, { name: `Journey Shop ${storefront}`, dependsOn: [orders] });
    await beat(orders, 'up');
    await beat(storefront, 'up');
    await beat(database, 'down');

    const page = await browser.open('/', 'light', 'operator');
    // The failing service stands out on the overview: its tile says it is down, and it is a link.
    const tile = page.locator(`[data-testid="service-tile"][data-slug="${database}"]`);
    await page.locator(`[data-testid="service-tile"][data-slug="${database}"][data-status="major_outage"]`).waitFor({ timeout: 8_000 });
    await tile.click();
    await page.waitForURL(new RegExp(`/services/${database}$`));

    // Why: the heartbeat that said it is down.
    const reasons = page.getByTestId('status-reasons');
    await reasons.waitFor();
    expect(await reasons.textContent()).toMatch(/heartbeat/i);
    // What it takes down: both services that depend on it, directly and through another.
    const blast = page.getByTestId('blast-radius');
    await blast.getByRole('link', { name: `Journey Orders ${orders}` }).waitFor();
    await blast.getByRole('link', { name: `Journey Shop ${storefront}` }).waitFor();
    expect(await page.getByTestId('blast-summary').textContent()).toMatch(/2 services/);
    await page.getByTestId('dependency-graph').waitFor();

    // Act from where the problem is: the incident form arrives with the service already ticked.
    await page.getByRole('link', { name: 'Declare incident' }).click();
    const form = page.getByRole('form', { name: 'Declare an incident' });
    const affected = form.getByRole('checkbox', { name: new RegExp(`Journey DB ${database}`) });
    await affected.waitFor();
    expect(await affected.isChecked()).toBe(true);
    const title = `Primary database down ${database}`;
    await form.getByLabel('Title').fill(title);
    await form.getByRole('radio', { name: /SEV1/ }).check();
    await form.getByLabel('First update').fill('The primary stopped answering; failing over.');
    await form.getByRole('button', { name: 'Declare incident' }).click();
    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();

    // The overview now carries the incident.
    await page.getByRole('link', { name: 'Overview' }).first().click();
    const openIncident = page.getByTestId('open-incident').filter({ hasText: title });
    await openIncident.waitFor();

    // Back to it from the overview, and resolve it once the database answers again.
    await beat(database, 'up');
    await openIncident.getByRole('link', { name: title }).click();
    await page.getByRole('button', { name: 'Resolve incident' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.locator('[data-testid="incident-detail"][data-status="resolved"]').waitFor();

    await page.getByRole('link', { name: 'Overview' }).first().click();
    await page.locator(`[data-testid="service-tile"][data-slug="${database}"][data-status="operational"]`).waitFor({ timeout: 8_000 });
    expect(await page.getByTestId('open-incident').filter({ hasText: title }).count()).toBe(0);
    await page.context().close();
  });
});
