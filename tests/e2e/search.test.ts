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

async function open(query: string, { apiDown = false, bareForm = apiDown, javaScript = true }: { apiDown?: boolean; bareForm?: boolean; javaScript?: boolean } = {}): Promise<Page> {
  const context = await site.browser.newContext({ locale: 'zh-CN', javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // No server search: the page arrives as the bare form (what a server without a database sends),
  // and, with the API down, nothing answers at /api/.
  if (bareForm) await page.route((url) => url.pathname === '/search/', async (route) => route.fulfill({ response: await route.fetch({ url: `${site.server.url}/search/` }) }));
  if (apiDown) await page.route('**/api/search**', (route) => route.abort('connectionrefused'));
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

  it('names the plan of each item in its result’s title', async () => {
    const page = await open(`q=${encodeURIComponent('汙水處理廠')}`);
    const titles = await page.locator('#search-results li h2').allTextContents();
    expect(titles.sort()).toEqual([
      '《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》第7项 污水管网建设和污水处理厂提标改造等整改工作进展缓慢',
      '《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》第9项 一些污水处理厂超标排放严重',
    ]);
  });

  it('finds a plan by its document number typed with other brackets', async () => {
    const page = await open(`q=${encodeURIComponent('武办字[2020]47号')}`);
    expect(await resultLinks(page)).toEqual(['/plans/wuwei-2020/']);
    expect(await page.locator('#search-results .result-snippet mark').first().textContent()).toBe('武办字〔2020〕47号');
  });

  it('lists a unit’s records without a query, and its facet links keep working', async () => {
    const page = await open('unit=wuwei-county-govs&pageSize=5');
    expect(await page.locator('#search-results').getAttribute('data-source')).toBe('server');
    expect(await page.locator('#search-status').textContent()).toMatch(/^符合所选条件的记录共 \d+ 条，显示第 1—5 条（未输入搜索词，按类型、所属方案和编号排列）。$/);
    expect(await resultLinks(page)).toHaveLength(5);
    expect(await page.locator('#search-applied a.chip').textContent()).toBe('责任单位：各县区政府 ×');
    expect(await page.title()).toMatch(/^按条件浏览 - 搜索/);
    await page.locator('.facet', { hasText: '类型' }).getByRole('link', { name: '整改任务' }).click();
    await page.locator('body[data-search="done"]').waitFor();
    expect(page.url()).toContain('kind=item');
    expect(page.url()).not.toContain('q=');
    expect(await page.locator('.facet a[aria-current="true"]').allTextContents()).toEqual(['整改任务', '各县区政府']);
    const csv = await fetch(site.server.url + (await page.locator('#search-downloads a', { hasText: 'CSV' }).getAttribute('href'))!);
    expect(csv.status).toBe(200);
    // Removing the last filter leaves the bare form, not a listing of everything.
    await page.locator('#search-applied a.chip', { hasText: '各县区政府' }).click();
    await page.locator('body[data-search="done"]').waitFor();
    await page.locator('#search-applied a.chip', { hasText: '整改任务' }).click();
    await page.locator('body[data-search="done"]').waitFor();
    expect(new URL(page.url()).search).toBe('?pageSize=5');
    expect(await resultLinks(page)).toEqual([]);
    expect(await page.locator('#search-status').textContent()).toBe('');
    expect(errors).toEqual([]);
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

  it('lists a plan’s records by a filter alone, with plan names in the titles', async () => {
    const page = await open('plan=wuwei-2020', { javaScript: false });
    const links = await resultLinks(page);
    expect(links[0]).toBe('/plans/wuwei-2020/');
    expect(links.slice(1, 3)).toEqual(['/items/wuwei-2020-01/', '/items/wuwei-2020-02/']);
    expect(await page.locator('#search-results li h2').nth(1).textContent()).toMatch(/^《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》第1项 /);
    expect(await page.locator('#search-pager').textContent()).toContain('第 1 页');
    await page.getByRole('link', { name: '下一页' }).click();
    expect(await page.locator('#search-pager').textContent()).toContain('第 2 页');
    expect(page.url()).not.toContain('q=');
  });

  it('shows the bare form when there is neither a query nor a filter', async () => {
    const context = await site.browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const res = await page.goto(`${site.server.url}/search/?unit=&page=2`);
    expect(res!.status()).toBe(200);
    expect(await resultLinks(page)).toEqual([]);
    expect(await page.locator('#search-error').isHidden()).toBe(true);
  });

  it('shows a refused query as an error summary, with the 400 status', async () => {
    const context = await site.browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const res = await page.goto(`${site.server.url}/search/?q=${'污'.repeat(101)}`);
    expect(res!.status()).toBe(400);
    expect(await page.locator('#search-error a[href="#q"]').textContent()).toMatch(/不能超过 100 个字/);
  });
});

describe('search page drawn in the browser from the API', () => {
  it('names the plan in each result’s title, and lists filters without a query', async () => {
    const page = await open(`q=${encodeURIComponent('汙水處理廠')}`, { bareForm: true });
    expect(await page.locator('#search-results').getAttribute('data-source')).toBe('api');
    expect((await page.locator('#search-results li h2').allTextContents()).sort()).toEqual([
      '《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》第7项 污水管网建设和污水处理厂提标改造等整改工作进展缓慢',
      '《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》第9项 一些污水处理厂超标排放严重',
    ]);
    const listing = await open('unit=wuwei-county-govs&pageSize=5', { bareForm: true });
    expect(await listing.locator('#search-results').getAttribute('data-source')).toBe('api');
    expect(await resultLinks(listing)).toHaveLength(5);
    expect(await listing.locator('#search-status').textContent()).toMatch(/^符合所选条件的记录共 \d+ 条/);
    expect(await listing.locator('.facet a[aria-current="true"]').textContent()).toBe('各县区政府');
    expect(await listing.title()).toMatch(/^按条件浏览 - 搜索/);
    expect(errors).toEqual([]);
  });

  it('says that the static index cannot list by filters when the API is down', async () => {
    const page = await open('unit=wuwei-county-govs', { apiDown: true });
    expect(await resultLinks(page)).toEqual([]);
    expect(await page.locator('#search-status').textContent()).toBe('检索服务暂不可用，站内静态索引不能按条件列出记录，请输入搜索词后再试。');
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
      // Both name the plan of each item page the same way.
      const titlesOf = async (p: Page) => (await p.locator('#search-results li h2').allTextContents()).filter((t) => t.startsWith('《')).sort();
      const apiTitles = [...new Set(await titlesOf(api))].filter((t) => /第\d+项 /.test(t) && !/分项|修改/.test(t));
      expect(apiTitles.length, q).toBeGreaterThan(0);
      expect(await titlesOf(page), q).toEqual(expect.arrayContaining(apiTitles));
    }
    expect(errors).toEqual([]);
  });
});
