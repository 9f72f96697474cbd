/**
 * The e2e suite's configuration, read once here. All optional:
 *   CHROMIUM_PATH       the browser (default Debian's /usr/bin/chromium)
 *   E2E_REBUILD=1       rebuild the dashboard even when its build is newer than its sources
 *   E2E_KEEP_LOGS=1     print the server and dashboard logs at teardown
 *   BASTION_REQUIRE_BROWSER=1   fail (instead of skipping the suite) when Chromium is missing; CI sets it
 */
export const e2eEnv = {
  chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  rebuild: process.env.E2E_REBUILD === '1',
  keepLogs: process.env.E2E_KEEP_LOGS === '1',
  requireBrowser: process.env.BASTION_REQUIRE_BROWSER === '1',
} as const;
