import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, demoAccount, useBrowser } from './browser.js';

const browser = useBrowser();

const OPERATION = '#operations-services-services-list';

/** Executes `services.list` in Swagger UI ("Try it out" is on) and waits for it to show `status`. */
async function executeExpecting(docs: Page, status: string): Promise<void> {
  const operation = docs.locator(OPERATION);
  if (!(await operation.getByRole('button', { name: 'Execute' }).isVisible())) await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const selector = `${OPERATION} .live-responses-table tbody .response-col_status`;
  try {
    await docs.waitForFunction(({ sel, expected }) => document.querySelector(sel)?.textContent.trim() === expected, { sel: selector, expected: status }, { timeout: 10_000 });
  } catch {
    // Say what it showed instead of only timing out.
    expect((await docs.locator(selector).first().textContent())?.trim()).toBe(status);
  }
}

describe.skipIf(inject('browserMissing'))('Swagger UI Authorize', () => {
  it('the OAuth2 password flow: username and password of a user (no client secret), then Try it out → Execute answers 200', async () => {
    const operator = demoAccount('operator');
    const docs = await browser.open('/docs', 'light', null);
    await docs.locator(OPERATION).waitFor();
    await executeExpecting(docs, '401');

    await docs.locator('.auth-wrapper .authorize').click();
    const oauth = docs.locator('.auth-container').filter({ has: docs.locator('label[for="oauth_username"]') });
    await oauth.locator('#oauth_username').fill(operator.email);
    await oauth.locator('#oauth_password').fill(operator.password);
    await oauth.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    // Swagger UI posts to the token endpoint itself and shows the flow as authorized.
    await oauth.getByRole('button', { name: 'Remove authorization' }).waitFor();
    expect(await oauth.textContent()).toContain('Authorized');
    await docs.locator('.dialog-ux').screenshot({ path: join(ARTIFACTS, 'docs-oauth2-authorized.png') });
    await docs.locator('.dialog-ux').getByRole('button', { name: 'Close' }).first().click();

    await executeExpecting(docs, '200');
    const operation = docs.locator(OPERATION);
    expect(await operation.locator('.live-responses-table tbody .response-col_description').first().textContent()).toContain('"items"');
    // The request Swagger UI shows was sent with the token it obtained.
    expect(await operation.locator('.curl-command').textContent()).toMatch(/Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+/);
    await operation.screenshot({ path: join(ARTIFACTS, 'docs-oauth2-try-it-out.png') });
    await docs.context().close();
  });

  it('a bearer token from POST /auth/token pasted into BearerToken, then Execute answers 200', async () => {
    const viewer = demoAccount('viewer');
    const response = await fetch(new URL('/api/v1/auth/token', inject('apiUrl')), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: viewer.email, password: viewer.password }),
    });
    expect(response.status).toBe(200);
    const { access_token: token } = (await response.json()) as { access_token: string };

    const docs = await browser.open('/docs', 'light', null);
    await docs.locator(OPERATION).waitFor();
    await docs.locator('.auth-wrapper .authorize').click();
    const bearer = docs.locator('.auth-container').filter({ has: docs.locator('label[for="auth-bearer-value"]') });
    await bearer.locator('#auth-bearer-value').fill(token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await bearer.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await docs.locator('.dialog-ux').getByRole('button', { name: 'Close' }).first().click();

    await executeExpecting(docs, '200');
    expect(await docs.locator(`${OPERATION} .curl-command`).textContent()).toContain(`Authorization: Bearer ${token}`);
    await docs.context().close();
  });
});
