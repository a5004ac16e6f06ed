// Headless Chromium for the browser checks: the system's Debian `chromium` (no browser download),
// driven by playwright-core. Every console error and uncaught page error is collected, since a
// check passes only when there were none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A page in a fresh headless Chromium, with the errors it reported so far. */
export interface BrowserSession {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** Launches Chromium with a throw-away profile and opens one page. */
export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'tapegrad-chromium-'));
  // A persistent context is how playwright takes --user-data-dir: a fresh profile folder per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    if (process.env.SHOW_BROWSER_LOG) console.log(`[browser] ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
