import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './browser.js';
import { createService, listServices, uniqueSlug } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('services', () => {
  it('creates a service through the form, after refusing an invalid and a taken slug on the slug field', async () => {
    const [existing] = await listServices();
    if (!existing) throw new Error('the demo seed has no services');
    const page = await browser.open('/services/new');
    const form = page.getByRole('form', { name: 'New service' });
    const slug = form.getByLabel('Slug', { exact: true });

    // Refused in the browser by the API's own zod schema: nothing is sent.
    await slug.fill('Checkout V2!');
    await form.getByLabel('Name', { exact: true }).fill('Checkout v2');
    await form.getByRole('button', { name: 'Create service' }).click();
    await form.locator('input[name="slug"][aria-invalid="true"]').waitFor();
    const described = (await slug.getAttribute('aria-describedby')) ?? '';
    const errorText = await page.locator(`[id="${described.split(' ').at(-1) ?? ''}"]`).textContent();
    expect(errorText).toMatch(/lowercase letters, digits and single hyphens/);
    expect(new URL(page.url()).pathname).toBe('/services/new');

    // Refused by the server (409 without a pointer) and still shown on the slug field.
    await slug.fill(existing.slug);
    await form.getByRole('button', { name: 'Create service' }).click();
    await page.getByText(`A service with slug "${existing.slug}" already exists.`).first().waitFor();
    expect(await slug.getAttribute('aria-invalid')).toBe('true');

    const fresh = uniqueSlug('checkout-v2');
    await slug.fill(fresh);
    await form.getByLabel('Tier', { exact: true }).selectOption('critical');
    await form.getByRole('checkbox', { name: new RegExp(existing.name) }).check();
    await form.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(`**/services/${fresh}`);
    await page.getByRole('heading', { level: 1, name: /Checkout v2/ }).waitFor();
    expect((await listServices()).find((s) => s.slug === fresh)).toMatchObject({ tier: 'critical', dependsOn: [existing.slug] });
    await page.context().close();
  });

  it('shows a dependency cycle the server refuses on the dependency that closes it', async () => {
    const a = uniqueSlug('cycle-a');
    const b = uniqueSlug('cycle-b');
    await createService(a, { name: 'Cycle A' });
    await createService(b, { name: 'Cycle B', dependsOn: [a] });
    const page = await browser.open(`/services/${a}/edit`);
    const form = page.getByRole('form', { name: 'Edit Cycle A' });
    const checkbox = form.getByRole('checkbox', { name: /Cycle B/ });
    await checkbox.check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.locator(`input[value="${b}"][aria-invalid="true"]`).waitFor();
    expect(await form.textContent()).toMatch(/would create a cycle/);
    await page.context().close();
  });

  it('searches, filters and sorts the table', async () => {
    const services = await listServices();
    const page = await browser.open('/services');
    await page.getByTestId('service-row').first().waitFor();
    expect(await page.getByTestId('service-row').count()).toBe(Math.min(services.length, 25));

    const target = services[0];
    if (!target) throw new Error('no services');
    await page.getByLabel('Search', { exact: true }).fill(target.slug);
    await page.waitForURL(/q=/);
    await page.locator(`[data-testid="service-row"][data-slug="${target.slug}"]`).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();

    await page.getByLabel('Tier', { exact: true }).selectOption('critical');
    await page.waitForURL(/tier=critical/);
    const critical = services.filter((s) => s.tier === 'critical').length;
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="service-row"]').length === n, Math.min(critical, 25));

    await page.getByRole('button', { name: /^Status/ }).click();
    const header = page.locator('th', { has: page.getByRole('button', { name: /^Status/ }) });
    expect(await header.getAttribute('aria-sort')).toMatch(/ascending|descending/);
    await page.context().close();
  });
});
