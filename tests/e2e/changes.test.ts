/**
 * The comparison of two snapshots (/changes/) in headless Chromium, on the built site with a
 * history of three snapshots (the time fixture as of 2020-08-01, 2021-01-01 and 2021-01-15, in a
 * copy of dist/client): axe-clean and fitting a 390 px phone, with a comparison and with errors,
 * and reached from the open-data page's form without JavaScript.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { historyOf, makeSnapshot, openDataFiles, type Snapshot } from '../../src/site/snapshots.ts';
import { makeTimeFixture } from '../fixtures/time/make.ts';
import { axeViolations, launchBrowser, phoneProblems } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const DATES = ['2020-08-01', '2021-01-01', '2021-01-15'];
let root: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const content = makeTimeFixture();
  root = mkdtempSync(join(tmpdir(), 'changes-site-'));
  const client = join(root, 'client');
  cpSync('dist/client', client, { recursive: true });
  const snapshots: Snapshot[] = [];
  for (const date of DATES) snapshots.push(makeSnapshot(date, openDataFiles(buildPortal(loadContent(content).content, date)), snapshots.at(-1)));
  writeFileSync(join(client, 'data/snapshots/history.json'), JSON.stringify(historyOf(snapshots, (id) => ({ plan: '任务', number: id }))));
  rmSync(join(content, '..'), { recursive: true, force: true });
  server = await startServer({ DIST_DIR: client });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const PAGES = ['/changes/?from=2020-08-01&to=2021-01-01', '/changes/?from=2021-01-15&to=2020-08-01', '/changes/'];

describe('comparing two snapshots in a browser', () => {
  it.each(PAGES)('%s has no axe violations and fits a 390 px phone', async (path) => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(server.url + path);
    expect(await axeViolations(page)).toEqual([]);
    expect(await phoneProblems(page)).toEqual([]);
    await context.close();
  });

  it('works as a plain form without JavaScript, and the error summary links to the field', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/changes/`);
    await page.selectOption('#f-from', '2020-08-01');
    await page.selectOption('#f-to', '2021-01-01');
    await page.click('form.compare-form button[type=submit]');
    await page.waitForURL(/from=2020-08-01&to=2021-01-01/);
    expect(await page.locator('[data-changed="status"] li').count()).toBe(1);
    expect(await page.locator('[data-changed="deadline"] a[href="/items/wuwei-2020-09/"]').count()).toBe(1);
    await page.selectOption('#f-to', '2020-08-01');
    await page.click('form.compare-form button[type=submit]');
    await page.waitForURL(/to=2020-08-01/);
    expect(await page.locator('.error-summary a[href="#f-to"]').textContent()).toContain('两个快照都是2020年8月1日的');
    await context.close();
  });
});
