/**
 * The comparison of two snapshots (/changes/) in headless Chromium, on the built site with a
 * history of three snapshots (the time fixture as of 2020-08-01, 2021-01-01 and 2021-01-15, in a
 * copy of dist/client): axe-clean and fitting a 390 px phone, with a comparison and with errors,
 * and reached from the open-data page's form without JavaScript.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { historyOf, makeSnapshot, openDataFiles, type Snapshot } from '../../src/site/snapshots.ts';
import { SHOWN_PER_KIND, type SnapshotHistory } from '../../src/site/snapshot-compare.ts';
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

  it('prints at most SHOWN_PER_KIND rows of a kind and gives every change as CSV; a newly written history is read, not the parsed old one', async () => {
    const file = join(root, 'client', 'data/snapshots/history.json');
    const original = readFileSync(file, 'utf8');
    const many = SHOWN_PER_KIND + 37;
    const history = JSON.parse(original) as SnapshotHistory;
    for (let i = 0; i < many; i++) history.items[`many-${i}`] = { p: 0, n: `第${i + 1}项`, v: [[0, '["已完成",null]', 'd', 't'], [1, '["已销号",null]', 'd', 't']] };
    const url = `${server.url}/changes/?from=2020-08-01&to=2021-01-01`;
    await fetch(url); // the old history parsed and remembered first
    writeFileSync(file, JSON.stringify(history));
    try {
      const html = await (await fetch(url)).text();
      const statusSection = html.slice(html.indexOf('data-changed="status"'), html.indexOf('</section>', html.indexOf('data-changed="status"')));
      expect(statusSection).toContain(`状态变化 ${many + 1} 项`);
      expect(statusSection.match(/<li>/g)).toHaveLength(SHOWN_PER_KIND);
      expect(statusSection).toContain(`此处列出前 ${SHOWN_PER_KIND} 项，全部见 CSV`);
      expect(html).toContain('href="/changes/changes.csv?from=2020-08-01&amp;to=2021-01-01"');
      const csv = await fetch(`${server.url}/changes/changes.csv?from=2020-08-01&to=2021-01-01`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
      const bytes = new Uint8Array(await csv.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM spreadsheets need (src/site/csv.ts)
      const lines = new TextDecoder().decode(bytes).trim().split('\n');
      expect(lines[0]).toBe('kind,id,label,before,after,url');
      expect(lines.filter((l) => l.startsWith('状态变化,'))).toHaveLength(many + 1);
      expect(lines).toContain('状态变化,many-0,任务 第1项,已完成,已销号,/items/many-0/');
      // Below the cap the CSV and the page list the same items.
      const deadlineSection = html.slice(html.indexOf('data-changed="deadline"'), html.indexOf('</section>', html.indexOf('data-changed="deadline"')));
      const onPage = [...deadlineSection.matchAll(/href="\/items\/([^/]+)\/"/g)].map((m) => m[1]).sort();
      expect(onPage).toContain('wuwei-2020-09');
      expect(lines.filter((l) => l.startsWith('时限变化,')).map((l) => l.split(',')[1]).sort()).toEqual(onPage);
    } finally {
      writeFileSync(file, original);
    }
    // Back to the three-snapshot history: the page reads it again.
    expect((await (await fetch(url)).text()).match(/状态变化 (\d+) 项/)?.[1]).toBe('1');
  });

  it('refuses a CSV of bad dates in the JSON error format, naming the field', async () => {
    for (const query of ['', '?from=2021-01-15&to=2020-08-01', '?from=1999-01-01&to=2021-01-01', `?from=${'9'.repeat(5000)}&to=2021-01-01`]) {
      const res = await fetch(`${server.url}/changes/changes.csv${query}`);
      expect(res.status, query.slice(0, 40)).toBe(400);
      const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(body.error.code).toBe('invalid_dates');
      expect(Object.keys(body.error.fields).length).toBeGreaterThan(0);
    }
  });
});
