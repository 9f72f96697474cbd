import { describe, expect, inject, it } from 'vitest';
import { api, demoAccount, signInWithForm, useBrowser } from './browser.js';
import { createService, uniqueSlug } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('users', () => {
  it('an admin invites a user with a chosen password, changes the role, disables and enables the account', async () => {
    const email = `${uniqueSlug('managed')}@example.com`;
    const password = 'a-long-enough-passphrase';
    const page = await browser.open('/users');
    const form = page.getByRole('form', { name: 'Invite a user' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role', { exact: true }).selectOption('viewer');
    await form.getByLabel('Initial password').fill(password);
    await form.getByRole('button', { name: 'Invite user' }).click();
    await page.getByRole('status').filter({ hasText: `Invited ${email}` }).waitFor();
    const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
    await row.waitFor();

    // Inviting the same email again lands on the email field.
    await form.getByLabel('Email').fill(email);
    await form.getByRole('button', { name: 'Invite user' }).click();
    await form.locator('input[name="email"][aria-invalid="true"]').waitFor();

    await row.getByLabel(`Role of ${email}`).selectOption('operator');
    await page.waitForFunction((e) => {
      const select = document.querySelector<HTMLSelectElement>(`[data-email="${e}"] select`);
      return select?.value === 'operator' && !select.disabled;
    }, email);
    expect((await api<{ items: { email: string; role: string }[] }>('GET', '/users')).items.find((u) => u.email === email)?.role).toBe('operator');

    await row.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Disable account' }).click();
    await page.locator(`[data-testid="user-row"][data-email="${email}"][data-disabled="true"]`).waitFor();

    // A disabled account cannot sign in.
    const login = await browser.open('/login', 'light', null);
    await signInWithForm(login, email, password);
    await login.getByTestId('login-error').waitFor();
    await login.context().close();

    await row.getByRole('button', { name: 'Enable' }).click();
    await page.locator(`[data-testid="user-row"][data-email="${email}"][data-disabled="false"]`).waitFor();
    await page.context().close();
  });
});

describe.skipIf(inject('browserMissing'))('the audit log', () => {
  it('filters by action, actor and result, and pages through older entries', async () => {
    // 30 audited mutations of one kind, so there is more than one page of them.
    const slug = uniqueSlug('audit-probe');
    await createService(slug, { name: 'Audit probe' });
    for (let i = 0; i < 30; i++) await api('POST', `/services/${slug}/heartbeats`, { status: 'up', latencyMs: i });

    const page = await browser.open('/audit?action=heartbeats.create');
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(25);
    expect(new Set(await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))))).toEqual(
      new Set(['heartbeats.create']),
    );
    const pageOne = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByTestId('audit-page').filter({ hasText: 'Page 2' }).waitFor();
    await page.waitForFunction((first) => document.querySelector('[data-testid="audit-row"]')?.getAttribute('data-id') !== first, pageOne[0]);
    const pageTwo = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    // Older entries, none of them on the first page again.
    expect(pageTwo.filter((id) => pageOne.includes(id))).toEqual([]);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByTestId('audit-page').filter({ hasText: 'Page 1' }).waitFor();

    // A failed sign-in by the admin's account, then: the admin's failed sign-ins only.
    const admin = demoAccount('admin');
    await fetch(new URL('/api/v1/auth/session', inject('apiUrl')), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: 'wrong' }),
    });
    await page.getByLabel('Action').fill('auth.login');
    await page.getByLabel('Result').selectOption('failure');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('action') === 'auth.login' && url.searchParams.get('result') === 'failure');
    const failed = page.locator('[data-testid="audit-row"][data-action="auth.login"][data-result="failure"]');
    await failed.first().waitFor();
    expect(await failed.first().textContent()).toContain(admin.email);

    // The admin's successful sign-ins (the run's sessions), picked by email.
    await page.getByLabel('Result').selectOption('success');
    await page.getByLabel('Actor').selectOption({ label: admin.email });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('result') === 'success' && url.searchParams.has('actor'));
    await page.locator('[data-testid="audit-row"][data-result="success"]').first().waitFor();
    expect(await page.locator('[data-testid="audit-row"]:not([data-result="success"])').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.search === '');
    await page.context().close();
  });
});
