/**
 * An item page's live complaints section in Chromium against the real Node server (content
 * indexed and watched by scripts/search-index.ts, as `npm start` does): a complaint about the
 * watched item's problem comes in (a possible rebound), staff link it to the item and publish it;
 * with JavaScript, under the site's own CSP, the static item page shows the on-demand section
 * (counts, the rebound count, the 一览表 rows); without it, the link leads to the same section.
 * axe-core and a 390 px phone on the changed pages.
 */
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, phoneProblems, useServedSite } from '../support/browser.ts';

const site = useServedSite();
const PASSWORD = 'correct horse battery staple';
/** Done (基本完成) in 武威市, topic 自然保护地 → 生态破坏: watched. */
const ITEM = 'wuwei-2017-22';
let reference = '';
let cookie = '';

async function staffForm(path: string, fields: Record<string, string>) {
  const page = await fetch(`${site.server.url}/staff/`, { headers: { Cookie: cookie } });
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await fetch(`${site.server.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }),
  });
  expect(res.status).toBe(303);
}

beforeAll(async () => {
  execFileSync('node_modules/.bin/tsx', ['scripts/staff.ts', 'create', '--username', 'admin', '--name', '管理员', '--role', 'admin'], {
    env: { ...process.env, DATA_DIR: site.server.dataDir, STAFF_PASSWORD: PASSWORD },
    stdio: 'pipe',
  });
  const login = await fetch(`${site.server.url}/staff/login/`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'admin', password: PASSWORD }) });
  cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
  const submitted = await fetch(`${site.server.url}/api/complaints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pollutionTypes: ['生态破坏'], region: 'gansu-wuwei-liangzhou', address: '凉州区某保护区边缘', observedAt: '2026-11-20', description: '保护区内有人开矿挖沙，植被被破坏，持续多日。', anonymous: true, consentPublish: true }),
  });
  expect(submitted.status).toBe(201);
  reference = ((await submitted.json()) as { reference: string }).reference;
  const queue = await (await fetch(`${site.server.url}/staff/?code=${reference}`, { headers: { Cookie: cookie } })).text();
  const id = queue.match(/href="\/staff\/complaints\/([0-9a-f-]{36})\/"/)![1]!;
  await staffForm(`/staff/complaints/${id}/items`, { others: ITEM, do: 'link' });
  for (const step of [{ action: 'accept' }, { action: 'assign', unit: 'wuwei-ecology' }, { action: 'close', verdict: '属实', reply: '已责令恢复植被。' }]) await staffForm(`/staff/complaints/${id}/action`, step);
  const detail = await (await fetch(`${site.server.url}/staff/complaints/${id}/`, { headers: { Cookie: cookie } })).text();
  const version = detail.match(/name="version" value="(\d+)"/)![1]!;
  await staffForm(`/staff/complaints/${id}/publish`, { version, do: 'publish', summary: '反映凉州区某保护区内开矿挖沙。', investigation: '经查属实。', result: '已责令停止并恢复植被。' });
});

async function open(browser: Browser, path: string, options: { javaScriptEnabled?: boolean; bypassCSP?: boolean; phone?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    bypassCSP: options.bypassCSP ?? false,
    locale: 'zh-CN',
    ...(options.phone ? { viewport: { width: 390, height: 844 } } : {}),
    extraHTTPHeaders: path.startsWith('/staff/') ? { Cookie: cookie } : {},
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.server.url + path);
  return { page, errors };
}

const section = (page: Page) => page.locator('#item-complaints');

describe('the item page’s complaints', () => {
  it('with JavaScript (under the site’s CSP): shows the counts, the rebound count and the rows from the on-demand view', async () => {
    const { page, errors } = await open(site.browser, `/items/${ITEM}/`);
    await page.locator('#item-complaints[data-item-complaints]').waitFor();
    expect(errors).toEqual([]);
    expect(await section(page).locator('[data-published-table] tbody tr').count()).toBe(1);
    expect(await section(page).locator('[data-published-table] tbody tr td').first().textContent()).toContain(reference);
    expect(await section(page).locator('[data-rebound-count]').getAttribute('data-rebound-count')).toBe('1');
    expect(await section(page).textContent()).toContain('销号后同类投诉 1 件');
    expect(await section(page).locator('[data-item-complaint-counts] tbody tr').first().textContent()).toContain('合计1');
    await page.context().close();
  });

  it('without JavaScript: a link to the same section on its own page', async () => {
    const { page } = await open(site.browser, `/items/${ITEM}/`, { javaScriptEnabled: false });
    expect(await section(page).locator('table').count()).toBe(0);
    await section(page).getByRole('link', { name: /与本项关联的投诉举报办理结果/ }).click();
    await page.waitForURL(new RegExp(`/complaints/\\?item=${ITEM}$`));
    expect(await section(page).locator('[data-published-table] tbody tr').count()).toBe(1);
    expect(await section(page).textContent()).toContain('销号后同类投诉 1 件');
    await page.context().close();
  });

  const CHANGED = [`/items/${ITEM}/`, `/complaints/?item=${ITEM}`, '/methodology/', '/staff/?rebound=1'];

  it.each(CHANGED)('%s has no axe violation (WCAG 2.1 A/AA) with its live content', async (path) => {
    const { page } = await open(site.browser, path, { bypassCSP: true });
    if (path.startsWith('/items/')) await page.locator('#item-complaints[data-item-complaints]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it.each(CHANGED)('%s reads on a 390 px phone', async (path) => {
    const { page } = await open(site.browser, path, { phone: true });
    if (path.startsWith('/items/')) await page.locator('#item-complaints[data-item-complaints]').waitFor();
    expect(await phoneProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('flags the complaint in the staff queue, named by its item', async () => {
    const { page } = await open(site.browser, '/staff/?rebound=1');
    const row = page.locator('[data-queue] tbody tr', { hasText: reference });
    expect(await row.count()).toBe(1);
    expect(await row.locator(`[data-rebound="${ITEM}"]`).textContent()).toContain('可能反弹');
    await page.context().close();
  });
});
