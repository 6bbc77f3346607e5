/** Headless Debian Chromium driven by playwright-core (a browser download does not work here). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.1 A and AA violations on the page as it is now. The page's context must have
 * been made with `bypassCSP: true`: the audit script is injected by the test, not by the page.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/**
 * What does not fit a phone in the page as it is now (open it at 390 × 844): sideways scrolling,
 * and visible table cells narrower than two characters (text wrapping a character per line).
 */
export async function phoneProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    if (overflow > 0) problems.push(`scrolls sideways by ${overflow} px`);
    const em = parseFloat(getComputedStyle(document.body).fontSize);
    for (const c of document.querySelectorAll('td, th, caption')) {
      // Text for screen readers only (a caption when a heading says the same) is not laid out to be read.
      if (c.closest('.visually-hidden')) continue;
      const box = c.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && (c.textContent ?? '').trim().length > 1 && box.width < 2 * em) problems.push(`squeezed cell: ${(c.textContent ?? '').trim().slice(0, 12)}`);
    }
    return problems;
  });
}
