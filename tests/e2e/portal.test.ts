/** Key pages of the served site in headless Chromium: dashboard, item with amendment, unit page, keyboard, no JavaScript. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { phoneProblems, useServedSite } from '../support/browser.ts';

const site = useServedSite();
const errors: string[] = [];

async function open(path: string, javaScriptEnabled = true): Promise<Page> {
  const context = await site.browser.newContext({ javaScriptEnabled, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(`${path}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
  const res = await page.goto(site.server.url + path);
  expect(res!.status()).toBe(200);
  return page;
}


describe('the portal in Chromium', () => {
  it('dashboard: ratios, a drawn chart with its table, overdue items, no console errors (CSP included)', async () => {
    const page = await open('/');
    await expect.poll(() => page.locator('canvas[data-drawn]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-figure="completion"]').textContent()).toMatch(/%$/);
    expect(await page.locator('table caption', { hasText: '整改任务状态分布' }).count()).toBe(1);
    expect(await page.locator('a[href="/items/wuwei-2020-07/"]').count()).toBeGreaterThan(0);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(errors).toEqual([]);
  });

  it('dashboard legend: open beside the overdue badges, each link lands on its definition', async () => {
    const page = await open('/');
    const legend = page.locator('details.legend');
    expect(await legend.count()).toBe(1);
    expect(await legend.locator('li').first().isVisible()).toBe(true);
    expect(await legend.textContent()).toContain('时限未公开');
    await legend.locator('a[href="/methodology/#deadline-undisclosed"]').click();
    await expect.poll(() => page.url()).toMatch(/\/methodology\/#deadline-undisclosed$/);
    expect(await page.locator('#deadline-undisclosed').textContent()).toContain('时限未公开');
    expect(await page.locator('#deadline-undisclosed').textContent()).toContain('19');
  });

  it('progress over time: a drawn line chart and its table of dated events, the table also without JavaScript', async () => {
    const page = await open('/plans/wuwei-2020/');
    const figure = page.locator('section.progress-over-time figure.chart');
    await figure.scrollIntoViewIfNeeded();
    await expect.poll(() => figure.locator('canvas[data-drawn]').count()).toBe(1);
    expect(await figure.locator('tbody tr').first().locator('th').textContent()).toBe('2020年7月30日');
    expect(await figure.locator('thead').textContent()).toContain('逾期未报');
    expect(await figure.locator('tbody').textContent()).toContain('方案修改');
    const plain = await open('/plans/wuwei-2020/', false);
    expect(await plain.locator('section.progress-over-time tbody tr').count()).toBeGreaterThan(3);
    expect(errors).toEqual([]);
  });

  it('fits a 390 px phone: no page scrolls sideways, and no table cell is squeezed to a character per line', async () => {
    const context = await site.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    for (const path of ['/', '/plans/wuwei-2020/', '/items/wuwei-2017-02/', '/units/wuwei-ecology/', '/regions/gansu-wuwei/', '/data/', '/sources/wuwei-2020-plan-notice/', '/people/', '/methodology/', '/inspections/', '/cases/', '/progress/', '/complaints/', '/complaints/new/', '/complaints/track/', '/staff/login/', '/corrections/', '/corrections/report/', `/search/?q=${encodeURIComponent('污水')}`]) {
      await page.goto(site.server.url + path);
      // Wide tables become stacked rows on phones (table.stack).
      expect(await phoneProblems(page), path).toEqual([]);
    }
    await context.close();
  });

  it('item with amendment: current text, diff side by side, review opinion, cite line', async () => {
    const page = await open('/items/wuwei-2020-10/');
    expect(await page.locator('h1').textContent()).toContain('第10项');
    expect(await page.locator('.diff ins').first().textContent()).toBe('凉州城区');
    expect(await page.locator('.diff del').first().textContent()).toBe('城市');
    expect(await page.textContent('body')).toContain('整改目标中未明确可吸入颗粒物、细颗粒物下降目标');
    expect(await page.locator('.cite').textContent()).toContain('武办字〔2020〕47号');
    expect(await page.textContent('body')).toContain('逾期未报');
  });

  it('item 17 shows both parts with their own measures', async () => {
    const page = await open('/items/wuwei-2020-17/');
    expect(await page.locator('h2', { hasText: '分项(一)' }).count()).toBe(1);
    expect(await page.locator('h2', { hasText: '分项(二)' }).count()).toBe(1);
    expect(await page.locator('ol.measures').nth(1).locator('li').count()).toBe(2);
  });

  it('unit page: the accountability view lists the unit’s items and overdue ones', async () => {
    const page = await open('/units/wuwei-housing/');
    expect(await page.locator('h1').textContent()).toBe('市住建局');
    expect(await page.locator('caption', { hasText: '全部负责任务' }).count()).toBe(1);
    expect(await page.locator('a[href="/items/wuwei-2020-07/"]').count()).toBeGreaterThan(0);
  });

  it('the Node server compresses the static site, not the staff pages (CSRF tokens, BREACH)', async () => {
    const page = await fetch(`${site.server.url}/items/wuwei-2020-07/`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(page.headers.get('Content-Encoding')).toBe('gzip');
    expect(await page.text()).toContain('<html lang="zh-CN"');
    const login = await fetch(`${site.server.url}/staff/login/`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(login.status).toBe(200);
    expect(login.headers.get('Content-Encoding')).toBeNull();
  });

  it('works without JavaScript: item page content and the chart tables are there', async () => {
    const page = await open('/items/wuwei-2020-06/', false);
    expect(await page.textContent('body')).toContain('根据国家自然保护地整合优化审核批复时间确定');
    const home = await open('/', false);
    expect(await home.locator('figure.chart table tbody tr').count()).toBeGreaterThan(3);
  });

  it('the Node server takes a complaint on its embedded libSQL file and answers its lookup', async () => {
    const res = await fetch(`${site.server.url}/api/complaints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'e2e-smoke-0001' },
      body: JSON.stringify({ pollutionTypes: ['噪声'], region: 'gansu-wuwei', address: '武威市某建筑工地', observedAt: '2026-01-05', description: '夜间施工噪声扰民，持续到凌晨。', anonymous: true, consentPublish: false }),
    });
    expect(res.status).toBe(201);
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    const lookup = await fetch(`${site.server.url}/api/complaints/${trackingCode}`);
    expect(lookup.status).toBe(200);
    expect(lookup.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('keyboard: the first Tab reaches the skip link, which moves focus to the main content', async () => {
    const page = await open('/plans/wuwei-2020/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('跳到正文');
    await page.keyboard.press('Enter');
    // The hash changes once the browser has handled the key; under load that can lag behind press().
    await expect.poll(() => page.url()).toMatch(/#main$/);
  });
});
