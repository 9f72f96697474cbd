import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './browser.js';
import { beat, createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('a heartbeat from an external monitor', () => {
  it('turns its service red on the open overview within 5 seconds, without a reload', async () => {
    const slug = uniqueSlug('e2e-monitored');
    await createService(slug, { name: 'E2E monitored' });
    await beat(slug, 'up');
    const page = await browser.open('/');
    const tile = page.locator(`[data-testid="service-tile"][data-slug="${slug}"]`);
    await page.locator(`[data-testid="service-tile"][data-slug="${slug}"][data-status="operational"]`).waitFor();

    const reportedAt = Date.now();
    await beat(slug, 'down');
    await page.locator(`[data-testid="service-tile"][data-slug="${slug}"][data-status="major_outage"]`).waitFor({ timeout: 5_000 });
    const elapsed = Date.now() - reportedAt;
    expect(elapsed).toBeLessThan(5_000);
    expect(await tile.textContent()).toContain('Major outage');
    // The reason is on the tile too: the operator sees *why* without a click.
    expect(await tile.textContent()).toMatch(/Last heartbeat reported down/);
    // The strip's current interval shows the down heartbeat.
    const row = page.locator(`[data-testid="strip-row"][data-slug="${slug}"]`);
    await row.locator('[data-bucket="down"]').last().waitFor({ timeout: 5_000 });
    await page.context().close();
  });
});
