import { describe, expect, inject, it } from 'vitest';
import { demoAccount, screenshot, signInWithForm, useBrowser } from './browser.js';

const browser = useBrowser();

describe.skipIf(inject('browserMissing'))('signing in and out', () => {
  it('sends a visitor without a session to sign in, then on to the page they asked for', async () => {
    const operator = demoAccount('operator');
    const page = await browser.open('/services?tier=critical', 'light', null);
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/services?tier=critical');
    // Nobody to show and nowhere to go before signing in.
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

    await signInWithForm(page, operator.email, operator.password);
    await page.waitForURL((url) => url.pathname === '/services' && url.searchParams.get('tier') === 'critical');
    await page.getByTestId('service-row').first().waitFor();
    expect(await page.getByTestId('user-email').textContent()).toBe(operator.email);
    expect(await page.getByTestId('user-role').textContent()).toBe('operator');
    await page.context().close();
  });

  it('never follows a next= that leaves the dashboard', async () => {
    const viewer = demoAccount('viewer');
    const page = await browser.open('/login?next=//evil.example/steal', 'light', null);
    await signInWithForm(page, viewer.email, viewer.password);
    await page.waitForURL((url) => url.pathname === '/' && url.host === new URL(inject('dashboardUrl')).host);
    await page.locator('[data-testid="overview"][data-ready="true"]').waitFor();
    await page.context().close();
  });

  it('says the email or password is wrong, and stays on the sign-in page', async () => {
    const viewer = demoAccount('viewer');
    const page = await browser.open('/login', 'light', null);
    await signInWithForm(page, viewer.email, 'not-the-password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.textContent()).toContain('Wrong email or password.');
    await screenshot(page, 'login-wrong-password', 'light');
    expect(new URL(page.url()).pathname).toBe('/login');
    // The password is cleared for the next try; the email is kept.
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.getByLabel('Email').inputValue()).toBe(viewer.email);
    await page.context().close();
  });

  it('after too many failures, says how long to wait and holds the button until then', async () => {
    // Throttling is per account name: a name of its own, so no other test is locked out.
    const email = `throttled-${Date.now().toString(36)}@demo.bastion`;
    const page = await browser.open('/login', 'light', null);
    for (let attempt = 1; attempt <= 6; attempt++) {
      await signInWithForm(page, email, `wrong-${attempt}`);
      await page.getByTestId('login-error').waitFor();
      if (attempt < 6) await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    }
    await page.getByTestId('login-retry').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('Too many failed sign-ins');
    expect(await page.getByTestId('login-retry').textContent()).toMatch(/^Try again in (\d+ min( \d+ s)?|\d+ s)\.$/);
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    await screenshot(page, 'login-throttled', 'dark');
    await page.context().close();
  });

  it('signs out from the user menu, and the old session is gone', async () => {
    const operator = demoAccount('operator');
    // A session of its own: signing out the shared one would sign out every other test.
    const page = await browser.open('/login', 'light', null);
    await signInWithForm(page, operator.email, operator.password);
    await page.waitForURL((url) => url.pathname === '/');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'bastion_session');
    expect(cookie?.httpOnly).toBe(true);

    await page.getByTestId('user-menu').click();
    const menu = page.getByRole('menu');
    expect(await menu.textContent()).toContain(operator.email);
    await screenshot(page, 'user-menu', 'light');
    await menu.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect((await page.context().cookies()).find((c) => c.name === 'bastion_session')).toBeUndefined();

    // Even presented again, the old session cookie no longer works.
    await page.context().addCookies([{ name: 'bastion_session', value: cookie?.value ?? '', url: inject('dashboardUrl') }]);
    await page.goto(new URL('/incidents', inject('dashboardUrl')).toString());
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/incidents');
    await page.context().close();
  });

  it('a session the server no longer knows sends the user to sign in, remembering the page', async () => {
    const page = await browser.open('/', 'light', null);
    await page.context().addCookies([{ name: 'bastion_session', value: 'forged-or-expired', url: inject('dashboardUrl') }]);
    await page.goto(new URL('/services?q=pay', inject('dashboardUrl')).toString());
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/services?q=pay');
    // No loop: the sign-in page stays put.
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await page.waitForTimeout(1_000);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });
});
