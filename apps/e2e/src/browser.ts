import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { e2eEnv } from './env.js';

export type Theme = 'light' | 'dark';

/** Whose session a new page starts with: a demo role's (signed in once per run), or nobody's. */
export type SignedInAs = 'admin' | 'operator' | 'viewer' | null;

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

/**
 * One headless Chromium per test file, with the flags this sandbox needs: no sandbox as root,
 * and no background networking (the machine has no internet; Chromium's calls home would fail).
 */
export function useBrowser() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (inject('browserMissing')) return;
    browser = await chromium.launch({
      executablePath: e2eEnv.chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    /**
     * A fresh page (own context: no shared storage) in the given theme, at `path` on the
     * dashboard, signed in as `as` (the admin unless told otherwise; `null` for nobody).
     */
    async open(path: string, theme: Theme = 'light', as: SignedInAs = 'admin'): Promise<Page> {
      if (!browser) throw new Error('the browser is not running yet');
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: theme });
      if (as) {
        const cookies = inject('sessions')[as];
        if (!cookies) throw new Error(`no ${as} session: is the server in demo mode?`);
        const url = inject('dashboardUrl');
        await context.addCookies(cookies.map((c) => ({ name: c.name, value: c.value, url, httpOnly: c.httpOnly, sameSite: 'Lax' as const })));
      }
      // next-themes reads localStorage first; pin the theme so a toggle elsewhere cannot leak in.
      await context.addInitScript((t: string) => { window.localStorage.setItem('theme', t); }, theme);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(new URL(path, inject('dashboardUrl')).toString());
      return page;
    },
  };
}

/** One REST call with an API key, answered as it is (for checking statuses). */
export async function restWithKey(apiKey: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(`/api/v1${path}`, inject('apiUrl')), {
    method,
    headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * The REST API with the run's admin API key, for arranging state and reporting heartbeats like
 * an external monitor. Throws on any non-2xx answer.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await restWithKey(inject('adminApiKey'), method, path, body);
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core on the page and returns its serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Signs in through the dashboard's sign-in form on `page` (which shows it). */
export async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

/** A demo account by role, as the server printed it. */
export function demoAccount(role: 'admin' | 'operator' | 'viewer') {
  const account = inject('demoUsers').find((u) => u.role === role);
  if (!account) throw new Error(`no demo ${role}`);
  return account;
}

/** Saves a full-page screenshot as `artifacts/<name>-<theme>.png`. */
export async function screenshot(page: Page, name: string, theme: Theme): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}-${theme}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
