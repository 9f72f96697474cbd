import { describe, expect, inject, it } from 'vitest';
import { api, screenshot, seriousViolations, signInWithForm, type Theme, useBrowser } from './browser.js';
import { uniqueSlug } from './fleet.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('changing your password', () => {
  it('from Account in the user menu: a wrong current password is shown on its field; after the change the old password is refused and the new one signs in', async () => {
    // A user of its own: changing a demo account's password would sign the shared sessions out.
    const email = `${uniqueSlug('pw')}@example.com`;
    const initial = 'initial-password-123';
    const next = 'my own long passphrase';
    await api('POST', '/users', { email, role: 'viewer', password: initial });

    const page = await browser.open('/login', 'light', null);
    await signInWithForm(page, email, initial);
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByTestId('user-menu').click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Account' }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    expect(await page.getByTestId('account-email').textContent()).toBe(email);

    const form = page.getByRole('form', { name: 'Change password' });
    const fill = async (current: string, fresh: string, confirm: string) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password', { exact: true }).fill(fresh);
      await form.getByLabel('Confirm new password').fill(confirm);
      await form.getByRole('button', { name: 'Change password' }).click();
    };

    // The shared schema refuses on the client: a short password, and a confirmation that differs.
    await fill(initial, 'short', 'shorter');
    expect(await form.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Confirm new password').getAttribute('aria-invalid')).toBe('true');
    await form.locator('[data-field-error]', { hasText: 'Does not match the new password.' }).waitFor();

    // The server refuses a wrong current password; the form shows it on that field.
    await fill('not-my-password', next, next);
    const current = form.getByLabel('Current password');
    await form.locator('[data-field-error]', { hasText: 'The current password is not correct.' }).waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'account-wrong-password', 'light');

    await fill(initial, next, next);
    const done = page.getByTestId('password-changed');
    await done.waitFor();
    expect(await done.textContent()).toContain('Password changed.');
    expect(await current.inputValue()).toBe('');
    await screenshot(page, 'account-password-changed', 'light');

    // This session stayed signed in; sign out, then the old password no longer works.
    await page.reload();
    await page.getByTestId('account-email').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await signInWithForm(page, email, initial);
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('Wrong email or password.');
    await signInWithForm(page, email, next);
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByTestId('user-email').textContent()).toBe(email);
    await page.context().close();
  });

  it.each<Theme>(['light', 'dark'])('the Account page has no serious accessibility violation (%s)', async (theme) => {
    const page = await browser.open('/account', theme, 'operator');
    await page.getByRole('form', { name: 'Change password' }).waitFor();
    await page.getByTestId('account-email').waitFor();
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
    await screenshot(page, 'account', theme);
    const violations = await seriousViolations(page);
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    // The user menu leads here.
    await page.getByTestId('user-menu').click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Account' }).waitFor();
    await screenshot(page, 'user-menu-account', theme);
    await page.context().close();
  });
});
