import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './browser.js';
import { listServices } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('overview', () => {
  it('shows the seeded fleet: the banner, a tile and a 24-hour strip per service, and stays live', async () => {
    const services = await listServices();
    expect(services.length).toBeGreaterThan(3);
    const page = await browser.open('/');
    await page.locator('[data-testid="overview"][data-ready="true"]').waitFor();

    await page.getByTestId('status-banner').waitFor();
    expect(await page.getByTestId('service-tile').count()).toBe(services.length);
    await page.getByTestId('strip-row').first().waitFor();
    expect(await page.getByTestId('strip-row').count()).toBe(services.length);
    expect(await page.getByTestId('strip-row').first().locator('[data-bucket]').count()).toBe(48);
    const shown = new Map<string, string | null>();
    for (const service of services) {
      shown.set(service.slug, await page.locator(`[data-testid="service-tile"][data-slug="${service.slug}"]`).getAttribute('data-status'));
    }
    // Time alone turns a silent service `unknown` (other files' services go silent minutes after
    // they were made), so a status may change between the API's answer and the page's: a tile
    // must show what the API said just before or just after it was read.
    const after = new Map((await listServices()).map((service) => [service.slug, service.status]));
    for (const service of services) {
      expect([service.status, after.get(service.slug)], service.slug).toContain(shown.get(service.slug));
    }
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
    await page.context().close();
  });

  it('says when the API stops answering, keeps the last data on screen, and recovers', async () => {
    const page = await browser.open('/');
    await page.locator('[data-testid="overview"][data-ready="true"]').waitFor();
    const tiles = await page.getByTestId('service-tile').count();

    await page.route('**/trpc/**', (route) => route.abort('connectionrefused'));
    await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('connection-banner').textContent()).toMatch(/Cannot reach the Bastion API/);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('unreachable');
    expect(await page.getByTestId('service-tile').count()).toBe(tiles);

    await page.unroute('**/trpc/**');
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 10_000 });
    await page.context().close();
  });
});
