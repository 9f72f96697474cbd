#!/usr/bin/env node
/**
 * Measures the dashboard's performance budgets (README figures; not asserted by timed tests).
 *
 *   node scripts/measure-budgets.mjs                      first-load JS of the overview, from .next
 *   node scripts/measure-budgets.mjs --url http://127.0.0.1:3000
 *                                                         + time until the overview is interactive
 *                                                           with its data, in headless Chromium
 *   --route /services   measure another route                --runs 7   samples for the timing
 *   --email, --password sign in as this account first (default: the demo operator)
 *   --hydrated <css>    instead of the overview's readiness, time until the element matching <css>
 *                       is hydrated (React has attached to it), e.g. --route /login --hydrated form
 *                       --anonymous: the floor a page without data costs on this machine
 *   --warm              load the page three times first, then time loads in the same browser context
 *                       (scripts from the HTTP cache and V8's code cache, as for an operator
 *                       coming back to the dashboard); the default times cold loads
 *   --check             exit 1 when a budget is exceeded
 *
 * First-load JS: Next 16 no longer prints it, so it is computed from the build: every script the
 * page loads (`<script src>`, minus `nomodule` polyfills) plus every chunk its RSC payload
 * references for client components, gzipped at level 6 like a typical server. The page's HTML is
 * the prerendered file when the route is static, else fetched signed in from `--url` (the
 * overview is rendered per request, with its data).
 *
 * Interactive: navigation start → the overview has hydrated *and* rendered its first data
 * (`[data-testid=overview][data-ready=true]`), median of `--runs` cold loads (no cache), or of
 * warm ones with `--warm`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const BUDGET_FIRST_LOAD_KB = 200;
const BUDGET_INTERACTIVE_MS = 1_000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    route: { type: 'string', default: '/' },
    runs: { type: 'string', default: '5' },
    check: { type: 'boolean', default: false },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    email: { type: 'string', default: 'operator@demo.bastion' },
    password: { type: 'string', default: 'demo-operator-password' },
    hydrated: { type: 'string' },
    anonymous: { type: 'boolean', default: false },
    warm: { type: 'boolean', default: false },
  },
});

/** Signs in through the dashboard's origin (proxied to the API) and returns the cookie header. */
async function signIn(baseUrl) {
  const response = await fetch(new URL('/api/v1/auth/session', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: values.email, password: values.password }),
  });
  if (!response.ok) throw new Error(`sign-in as ${values.email} failed: ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function pageHtml(route) {
  const appDir = join(root, '.next/server/app');
  const htmlFile = join(appDir, route === '/' ? 'index.html' : `${route.replace(/^\//, '')}.html`);
  if (existsSync(htmlFile)) return readFileSync(htmlFile, 'utf8');
  if (!values.url) throw new Error(`${route} is rendered per request: pass --url of a running dashboard (after \`next build --webpack\`).`);
  const headers = values.anonymous ? {} : { cookie: await signIn(values.url) };
  const response = await fetch(new URL(route, values.url), { headers, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`GET ${route}: ${response.status}`);
  return response.text();
}

async function firstLoadJs(route) {
  const html = await pageHtml(route);
  const chunks = new Set();
  const legacyOnly = new Set();
  const relative = (src) => src.replace(/^.*?\/_next\//, '').split('?')[0];
  for (const [tag, src] of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) {
    if (!src.includes('/_next/static/')) continue;
    // `nomodule` scripts (polyfills) are skipped by every browser the dashboard supports.
    if (/\bnomodule\b/i.test(tag)) legacyOnly.add(relative(src));
    else chunks.add(relative(src));
  }
  // Client-component chunks named in the inline RSC payload (escaped JSON inside <script>).
  for (const [path] of html.matchAll(/static\/chunks\/[\w\-./]+?\.js/g)) if (!legacyOnly.has(path)) chunks.add(path);
  const files = [...chunks].sort().map((path) => {
    const body = readFileSync(join(root, '.next', path));
    return {
      path,
      raw: body.length,
      gzip: gzipSync(body, { level: 6 }).length,
      brotli: brotliCompressSync(body).length,
    };
  });
  const total = files.reduce((sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip, brotli: sum.brotli + f.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });
  return { files, total };
}

async function timeToInteractive(url, runs) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: values.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const samples = [];
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    if (!values.anonymous) {
      const cookies = (await signIn(url)).split('; ').map((pair) => {
        const [name, ...rest] = pair.split('=');
        return { name, value: rest.join('='), url };
      });
      await context.addCookies(cookies);
    }
    return context;
  };
  // Warm: one context for every sample; V8 keeps a script's compiled code once it has run in a
  // few loads, so three priming loads come first.
  const warmContext = values.warm ? await newContext() : undefined;
  if (warmContext) {
    for (let i = 0; i < 3; i += 1) {
      const page = await warmContext.newPage();
      await page.goto(url, { waitUntil: 'networkidle' });
      await page.close();
    }
  }
  try {
    for (let i = 0; i < runs; i += 1) {
      const context = warmContext ?? (await newContext());
      const page = await context.newPage();
      // Stamped in the page the moment the overview turns ready: polling from outside the page
      // would add its own latency (hundreds of ms on a busy machine) to every sample.
      if (values.hydrated) {
        // Hydration changes no attribute to observe: look for React's fiber on the element each frame.
        await page.addInitScript((selector) => {
          const look = () => {
            const element = document.querySelector(selector);
            if (element && Object.keys(element).some((key) => key.startsWith('__reactFiber'))) {
              /** @type {any} */ (window).__overviewReadyAt = performance.now();
              return;
            }
            requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        }, values.hydrated);
      } else {
        await page.addInitScript(() => {
          new MutationObserver((_, observer) => {
            if (!document.querySelector('[data-testid="overview"][data-ready="true"]')) return;
            /** @type {any} */ (window).__overviewReadyAt = performance.now();
            observer.disconnect();
          }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
        });
      }
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => /** @type {any} */ (window).__overviewReadyAt !== undefined, null, { timeout: 30_000 });
      const sample = await page.evaluate(() => {
        const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
        const scripts = performance
          .getEntriesByType('resource')
          .filter((r) => /** @type {PerformanceResourceTiming} */ (r).initiatorType === 'script');
        return {
          ready: /** @type {any} */ (window).__overviewReadyAt ?? performance.now(),
          domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
          scriptBytesOnWire: scripts.reduce((s, r) => s + /** @type {PerformanceResourceTiming} */ (r).encodedBodySize, 0),
        };
      });
      samples.push(sample);
      await (warmContext ? page.close() : context.close());
    }
  } finally {
    await browser.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    runs: samples.length,
    readyMs: median(samples.map((s) => s.ready)),
    domContentLoadedMs: median(samples.map((s) => s.domContentLoaded)),
    scriptKbOnWire: median(samples.map((s) => s.scriptBytesOnWire)) / 1024,
    all: samples.map((s) => Math.round(s.ready)),
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
let failed = false;

const js = await firstLoadJs(values.route);
console.log(`First-load JS of ${values.route} (${js.files.length} chunks):`);
for (const f of js.files) console.log(`  ${f.path.padEnd(58)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(9)} gzip`);
console.log(`  ${'total'.padEnd(58)} ${kb(js.total.raw).padStart(10)} raw ${kb(js.total.gzip).padStart(9)} gzip ${kb(js.total.brotli).padStart(9)} brotli`);
const jsOk = js.total.gzip / 1024 < BUDGET_FIRST_LOAD_KB;
console.log(`  budget < ${BUDGET_FIRST_LOAD_KB} kB gzip: ${jsOk ? 'OK' : 'OVER'}`);
failed ||= !jsOk;

if (values.url) {
  const url = new URL(values.route, values.url).toString();
  const t = await timeToInteractive(url, Number(values.runs));
  const what = values.hydrated ? `${values.route} hydrated (${values.hydrated})` : 'Overview interactive with data';
  console.log(`\n${what} at ${url} (median of ${t.runs} ${values.warm ? 'warm' : 'cold'} loads):`);
  console.log(`  DOMContentLoaded       ${t.domContentLoadedMs.toFixed(0)} ms`);
  console.log(`  hydrated + data shown  ${t.readyMs.toFixed(0)} ms   (samples: ${t.all.join(', ')} ms)`);
  console.log(`  scripts on the wire    ${t.scriptKbOnWire.toFixed(1)} kB (compressed by next start)`);
  const tOk = t.readyMs < BUDGET_INTERACTIVE_MS;
  console.log(`  budget < ${BUDGET_INTERACTIVE_MS} ms: ${tOk ? 'OK' : 'OVER'}`);
  failed ||= !tOk;
}

if (values.check && failed) process.exit(1);
