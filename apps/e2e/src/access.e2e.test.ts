import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, useBrowser } from './browser.js';
import { beat, createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();
const skip = inject('browserMissing');

/** A service and an open incident on it, so the detail pages have their action buttons to hide. */
let fixture: { slug: string; incidentId: string } | undefined;

beforeAll(async () => {
  if (skip) return;
  const slug = uniqueSlug('access-probe');
  await createService(slug, { name: 'Access probe' });
  await beat(slug, 'up');
  const incident = await api<{ id: string }>('POST', '/incidents', {
    title: 'Access probe incident',
    severity: 'sev3',
    serviceSlugs: [slug],
    message: 'Probing what a viewer sees.',
  });
  fixture = { slug, incidentId: incident.id };
});

async function navLabels(page: Page): Promise<string[]> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Overview' }).waitFor();
  return nav.getByRole('link').allTextContents();
}

/** The buttons and links a viewer must not be offered. */
const MUTATIONS = /^(Add service|Add a service|Add the first service|Edit|Declare incident|Post update|Resolve incident|Delete)/;

async function mutationControls(page: Page): Promise<string[]> {
  const texts = await page.locator('main').getByRole('button').or(page.locator('main').getByRole('link')).allTextContents();
  return texts.map((t) => t.trim()).filter((t) => MUTATIONS.test(t));
}

describe.skipIf(skip)('a viewer', () => {
  it('is offered only the read-only pages', async () => {
    const page = await browser.open('/', 'light', 'viewer');
    expect(await navLabels(page)).toEqual(['Overview', 'Services', 'Incidents', 'API']);
    expect(await page.getByTestId('user-role').textContent()).toBe('viewer');
    await page.context().close();
  });

  it('sees no button that would change anything', async () => {
    if (!fixture) throw new Error('fixture not ready');
    const pages: [string, string][] = [
      ['/', '[data-testid="overview"][data-ready="true"]'],
      ['/services', '[data-testid="service-row"]'],
      ['/incidents', '[data-testid="incident-row"]'],
      [`/services/${fixture.slug}`, '[data-testid="dependency-graph"]'],
      [`/incidents/${fixture.incidentId}`, '[data-testid="timeline-entry"]'],
    ];
    const page = await browser.open('/', 'light', 'viewer');
    for (const [path, ready] of pages) {
      await page.goto(new URL(path, inject('dashboardUrl')).toString());
      await page.locator(ready).first().waitFor();
      // The principal is known once the user menu shows it: hidden buttons are hidden for good then.
      await page.getByTestId('user-role').waitFor();
      expect(await mutationControls(page), path).toEqual([]);
    }
    await page.context().close();
  });

  it.each([
    ['/users', 'user management', 'users:manage'],
    ['/audit', 'the audit log', 'audit:read'],
    ['/api-keys', 'API keys', 'keys:manage'],
    ['/services/new', 'adding services', 'services:write'],
    ['/incidents/new', 'declaring incidents', 'incidents:write'],
  ])('typing %s gets a clear no-access state', async (path, what, scope) => {
    const page = await browser.open(path, 'light', 'viewer');
    const state = page.getByTestId('no-access');
    await state.waitFor();
    expect(await state.getByRole('heading', { level: 1 }).textContent()).toBe(`You don’t have access to ${what}`);
    expect(await state.textContent()).toContain(scope);
    expect(await page.locator('form').count()).toBe(0);
    await page.context().close();
  });
});

describe.skipIf(skip)('an operator', () => {
  it('runs the fleet and manages API keys, but not users or the audit log', async () => {
    const page = await browser.open('/services', 'light', 'operator');
    expect(await navLabels(page)).toEqual(['Overview', 'Services', 'Incidents', 'Traffic', 'Controls', 'API keys', 'API']);
    await page.getByRole('link', { name: 'Add service' }).waitFor();
    await page.goto(new URL('/users', inject('dashboardUrl')).toString());
    await page.getByTestId('no-access').waitFor();
    await page.context().close();
  });
});
