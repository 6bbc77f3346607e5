/** Headless Debian Chromium driven by playwright-core (a browser download does not work here). */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from './server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Indexes the content for search in the server's database, as `npm start` does before serving. */
export function indexContent(server: RunningServer): void {
  execFileSync('node_modules/.bin/tsx', ['scripts/search-index.ts'], { env: { ...process.env, DATA_DIR: server.dataDir }, stdio: 'ignore' });
}

/**
 * Starts the portal server (content indexed for search) and a browser for a test file, and stops both after
 * it. Use at the top level of a test file; read `server` and `browser` in tests.
 */
export function useServedSite(): { server: RunningServer; browser: Browser } {
  const site = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    site.server = await startServer();
    indexContent(site.server);
    site.browser = await launchBrowser();
  });
  afterAll(async () => {
    await site.browser?.close();
    await site.server?.stop();
  });
  return site;
}
