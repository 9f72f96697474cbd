import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, screenshot, seriousViolations, type SignedInAs, type Theme, useBrowser } from './browser.js';
import { beat, createService, listServices, uniqueSlug } from './fleet.js';

const browser = useBrowser();

/** What the pages need: a service with dependents, and an open incident with a timeline. */
let fixture: { hub: string; incidentId: string } | undefined;

const skip = inject('browserMissing');

beforeAll(async () => {
  if (skip) return;
  const services = await listServices();
  // The richest neighbourhood for the service page: the service with the most dependents.
  const dependents = new Map<string, number>();
  for (const s of services) for (const d of s.dependsOn) dependents.set(d, (dependents.get(d) ?? 0) + 1);
  const hub = [...services].sort((a, b) => (dependents.get(b.slug) ?? 0) - (dependents.get(a.slug) ?? 0))[0];
  if (!hub) throw new Error('no services');
  // An open incident on a service of its own, so the incident page has a form and a timeline.
  const probe = uniqueSlug('a11y-probe');
  await createService(probe, { name: 'A11y probe' });
  await beat(probe, 'degraded');
  const incident = await api<{ id: string }>('POST', '/incidents', {
    title: 'Elevated error rate on the a11y probe',
    severity: 'sev2',
    serviceSlugs: [probe],
    message: 'Investigating elevated 5xx rates.',
  });
  await api('POST', `/incidents/${incident.id}/updates`, { status: 'identified', message: 'A bad config push; reverting.' });
  fixture = { hub: hub.slug, incidentId: incident.id };
});

function use<T>(pick: (f: NonNullable<typeof fixture>) => T): T {
  if (!fixture) throw new Error('fixture not ready');
  return pick(fixture);
}

/** Every page of the dashboard, with what it is not done loading without (as the admin unless `as` says). */
const PAGES: { name: string; path: () => string; ready: string; as?: SignedInAs }[] = [
  { name: 'login', path: () => '/login', ready: 'form[aria-label="Sign in"]', as: null },
  { name: 'overview', path: () => '/', ready: '[data-testid="strip-row"]' },
  { name: 'services', path: () => '/services', ready: '[data-testid="service-row"]' },
  { name: 'service-new', path: () => '/services/new', ready: 'input[name="dependsOn"]' },
  { name: 'service-detail', path: () => use((f) => `/services/${f.hub}`), ready: '[data-testid="dependency-graph"]' },
  { name: 'service-edit', path: () => use((f) => `/services/${f.hub}/edit`), ready: 'input[name="dependsOn"]' },
  { name: 'incidents', path: () => '/incidents?status=all', ready: '[data-testid="incident-row"]' },
  { name: 'incident-new', path: () => '/incidents/new', ready: 'input[name="serviceSlugs"]' },
  { name: 'incident-detail', path: () => use((f) => `/incidents/${f.incidentId}`), ready: '[data-testid="timeline-entry"]' },
  { name: 'api', path: () => '/api-reference', ready: 'pre' },
  { name: 'api-keys', path: () => '/api-keys', ready: '[data-testid="api-key-row"]' },
  { name: 'users', path: () => '/users', ready: '[data-testid="user-row"]' },
  { name: 'audit', path: () => '/audit', ready: '[data-testid="audit-row"]' },
  { name: 'account', path: () => '/account', ready: 'form[aria-label="Change password"]' },
  { name: 'controls', path: () => '/controls', ready: '[data-testid="switch-row"]' },
  { name: 'traffic', path: () => '/traffic', ready: '[data-testid="traffic"] table' },
  { name: 'controls-as-viewer', path: () => '/controls', ready: '[data-testid="no-access"]', as: 'viewer' },
  { name: 'no-access', path: () => '/users', ready: '[data-testid="no-access"]', as: 'viewer' },
  { name: 'services-as-viewer', path: () => '/services', ready: '[data-testid="service-row"]', as: 'viewer' },
];

/** Waits until the page has its data and no skeleton is left. */
async function settle(page: Page, ready: string) {
  await page.locator(ready).first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.animate-pulse').length === 0);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
  // Fonts and the chart's first layout.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}

describe.skipIf(skip).each<Theme>(['light', 'dark'])('in the %s theme', (theme) => {
  it.each(PAGES)('$name has no serious or critical accessibility violation (and is screenshotted)', async ({ name, path, ready, as }) => {
    const page = await browser.open(path(), theme, as === undefined ? 'admin' : as);
    try {
      await settle(page, ready);
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
      await screenshot(page, name, theme);
      const violations = await seriousViolations(page);
      const report = violations.map(
        (v) => `[${v.impact ?? ''}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n')}`,
      );
      expect(report, report.join('\n')).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe.skipIf(skip)('keyboard', () => {
  it('reaches the main navigation and skips to the content from the keyboard', async () => {
    const page = await browser.open('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.context().close();
  });

  it('toggles the theme from the header', async () => {
    const page = await browser.open('/', 'light');
    await page.getByTestId('theme-toggle').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
    await page.context().close();
  });
});
