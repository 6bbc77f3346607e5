/**
 * The search page in Chromium, on the Node server with the content indexed
 * (as `npm start` does): results rendered on the server (with and without
 * JavaScript), highlights, facets as links, paging, downloads and refusals;
 * and, when the server cannot search and the API cannot be reached, the
 * Pagefind fallback in the browser, finding the same item pages.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServedSite } from '../support/browser.ts';

const site = useServedSite();
const errors: string[] = [];

async function open(query: string, { apiDown = false, javaScript = true } = {}): Promise<Page> {
  const context = await site.browser.newContext({ locale: 'zh-CN', javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  if (apiDown) {
    // No server search: the page arrives as the bare form (what a server without a database sends),
    // and nothing answers at /api/.
    await page.route((url) => url.pathname === '/search/', async (route) => route.fulfill({ response: await route.fetch({ url: `${site.server.url}/search/` }) }));
    await page.route('**/api/search**', (route) => route.abort('connectionrefused'));
  }
  await page.goto(`${site.server.url}/search/?${query}`);
  if (javaScript) await page.locator('body[data-search="done"]').waitFor({ timeout: 15_000 });
  return page;
}

const resultLinks = (page: Page) => page.locator('#search-results li h2 a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));

describe('search page with the API', () => {
  it('finds Simplified items for a Traditional query, highlighted as printed, with facets and downloads', async () => {
    const page = await open(`q=${encodeURIComponent('汙水處理廠')}`);
    // Rendered on the server: no request to the API from the browser was needed.
    expect(await page.locator('#search-results').getAttribute('data-source')).toBe('server');
    expect((await resultLinks(page)).sort()).toEqual(['/items/wuwei-2020-07/', '/items/wuwei-2020-09/']);
    expect(await page.locator('#search-results mark').first().textContent()).toBe('污水处理厂');
    expect(await page.locator('#search-status').textContent()).toBe('找到 2 条记录。');
    expect(await page.locator('.facet h3').allTextContents()).toEqual(expect.arrayContaining(['类型', '地区', '责任单位', '年份']));
    const csv = page.locator('#search-downloads a', { hasText: 'CSV' });
    const res = await fetch(site.server.url + (await csv.getAttribute('href'))!);
    expect(res.headers.get('Content-Type')).toMatch(/text\/csv/);
    expect(await page.title()).toMatch(/^汙水處理廠 - 搜索/);
    expect(errors).toEqual([]);
  });

  it('narrows by a facet link and removes the filter again', async () => {
    const page = await open(`q=${encodeURIComponent('碳化硅')}`);
    expect(await resultLinks(page)).toHaveLength(3);
    await page.locator('.facet', { hasText: '类型' }).getByRole('link', { name: '任务分项' }).click();
    await page.locator('body[data-search="done"]').waitFor();
    expect(await page.locator('#search-status').textContent()).toBe('找到 2 条记录。');
    expect(page.url()).toContain('kind=part');
    expect(await page.locator('.facet a[aria-current="true"]').textContent()).toBe('任务分项');
    await page.locator('#search-applied a.chip').click();
    await page.locator('body[data-search="done"]').waitFor();
    expect(await page.locator('#search-status').textContent()).toBe('找到 3 条记录。');
  });

  it('pages through results with plain links', async () => {
    const page = await open(`q=${encodeURIComponent('整改')}&pageSize=5`);
    const first = await resultLinks(page);
    expect(first).toHaveLength(5);
    await page.getByRole('link', { name: '下一页' }).click();
    await page.locator('body[data-search="done"]').waitFor();
    expect(await page.locator('#search-pager').textContent()).toContain('第 2 页');
    const second = await resultLinks(page);
    expect(second.filter((u) => first.includes(u) && !u.includes('#'))).toEqual([]);
  });

  it('shows a refused query as an error summary linking to the field', async () => {
    const page = await open(`q=${'污'.repeat(101)}`);
    const summary = page.locator('#search-error');
    expect(await summary.isVisible()).toBe(true);
    expect(await summary.locator('a[href="#q"]').textContent()).toMatch(/不能超过 100 个字/);
  });
});

describe('search page without JavaScript', () => {
  it('shows results, facets, paging and downloads rendered on the server', async () => {
    const page = await open(`q=${encodeURIComponent('整改')}&pageSize=5`, { javaScript: false });
    expect(await resultLinks(page)).toHaveLength(5);
    expect(await page.locator('#search-status').textContent()).toMatch(/^找到 \d+ 条记录，显示第 1—5 条。$/);
    expect(await page.locator('#search-results mark').first().textContent()).toBe('整改');
    expect(await page.locator('#q').inputValue()).toBe('整改');
    await page.locator('.facet', { hasText: '类型' }).locator('a').first().click();
    expect(page.url()).toContain('kind=');
    expect(await page.locator('.facet a[aria-current="true"]').count()).toBe(1);
    await page.getByRole('link', { name: '下一页' }).click();
    expect(await page.locator('#search-pager').textContent()).toContain('第 2 页');
    expect(await page.locator('#search-downloads a', { hasText: 'CSV' }).getAttribute('href')).toMatch(/^\/api\/search\?.*format=csv/);
  });

  it('shows a refused query as an error summary, with the 400 status', async () => {
    const context = await site.browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const res = await page.goto(`${site.server.url}/search/?q=${'污'.repeat(101)}`);
    expect(res!.status()).toBe(400);
    expect(await page.locator('#search-error a[href="#q"]').textContent()).toMatch(/不能超过 100 个字/);
  });
});

describe('search page without a server search (static hosting)', () => {
  it('falls back to Pagefind and finds the same item pages for every seed query', async () => {
    for (const q of ['污水', '汙水處理廠', 'PM2.5', '一级A', '散煤', '碳化硅']) {
      const api = await open(`q=${encodeURIComponent(q)}`);
      const fromApi = [...new Set((await resultLinks(api)).map((u) => u.replace(/#.*/, '')).filter((u) => u.startsWith('/items/')))];
      expect(fromApi.length, q).toBeGreaterThan(0);
      const page = await open(`q=${encodeURIComponent(q)}`, { apiDown: true });
      expect(await page.locator('#search-results').getAttribute('data-source')).toBe('pagefind');
      expect(await page.locator('#search-status').textContent()).toContain('静态索引');
      const fromPagefind = (await resultLinks(page)).filter((u) => u.startsWith('/items/'));
      expect(fromPagefind.sort(), q).toEqual(fromApi.sort());
    }
    expect(errors).toEqual([]);
  });
});
