/** The search page's model (shared by the server-rendered page and its script): listings without a query, plan names. */
import { describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../src/search/index-store.ts';
import { appliedFilters, downloads, facetGroups, facetsNote, isFiltered, pager, planName, statusLine, titlePrefix } from '../../src/search/page-model.ts';

const params = (q: string) => new URLSearchParams(q);
const noFacets = { kind: [], inspection: [], plan: [], region: [], unit: [], status: [], topic: [], pollution: [], year: [] } as SearchResponse['facets'];

describe('filters without a query', () => {
  it('counts a filter only when it has a value', () => {
    expect(isFiltered(params('unit=wuwei-ecology'))).toBe(true);
    expect(isFiltered(params('from=2020'))).toBe(true);
    expect(isFiltered(params('q=污水'))).toBe(false);
    expect(isFiltered(params('q=&unit='))).toBe(false);
    expect(isFiltered(params('unit=,'))).toBe(false);
    expect(isFiltered(params('from=&to=&page=2'))).toBe(false);
  });

  it('keeps facet links, chips, pages and downloads working without q', () => {
    const p = params('unit=wuwei-ecology');
    const [unit] = facetGroups(p, { ...noFacets, unit: [{ value: 'wuwei-ecology', count: 1, label: '市生态环境局' }, { value: 'wuwei-county-govs', count: 13 }] });
    expect(unit!.shown.map((f) => [f.href, f.on])).toEqual([
      ['/search/?', true],
      ['/search/?unit=wuwei-ecology&unit=wuwei-county-govs', false],
    ]);
    expect(appliedFilters(p, undefined)).toEqual([{ text: '责任单位：wuwei-ecology ×', href: '/search/?' }]);
    expect(pager(p, { total: 45, page: 1, pageSize: 20 })!.next).toBe('/search/?unit=wuwei-ecology&page=2');
    expect(downloads(p)).toEqual({ csv: '/api/search?unit=wuwei-ecology&format=csv', json: '/api/search?unit=wuwei-ecology&pageSize=100' });
  });

  it('says what a listing is and how it is ordered', () => {
    expect(statusLine({ query: '', total: 45, page: 2, pageSize: 20 }, true)).toBe('符合所选条件的记录共 45 条，显示第 21—40 条（未输入搜索词，按类型、所属方案和编号排列）。');
    expect(statusLine({ query: '', total: 3, page: 1, pageSize: 20 }, true)).toBe('符合所选条件的记录共 3 条（未输入搜索词，按类型、所属方案和编号排列）。');
    expect(statusLine({ query: '', total: 0, page: 1, pageSize: 20 }, true)).toBe('没有符合所选条件的记录，可以取消部分筛选条件再试。');
    expect(statusLine({ query: '污水', total: 0, page: 1, pageSize: 20 }, false)).toBe('没有找到包含“污水”的记录。');
  });
});

describe('plan names', () => {
  it('writes the plan as a book title before the result’s own title', () => {
    expect(planName('武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案')).toBe('《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》');
    expect(planName('关于补充完善《某方案》的通知')).toBe('《关于补充完善〈某方案〉的通知》');
    expect(titlePrefix({ plan: { id: 'wuwei-2020', title: '某方案', url: '/plans/wuwei-2020/' } })).toBe('《某方案》');
    expect(titlePrefix({ plan: null })).toBe('');
  });
});

describe('counts above the limit (national scale)', () => {
  it('says the total is a lower bound, with a query and without', () => {
    expect(statusLine({ query: '整改', total: 5000, totalExact: false, page: 3, pageSize: 20 }, false)).toBe('找到超过 5000 条记录，显示第 41—60 条。');
    expect(statusLine({ query: '', total: 5000, totalExact: false, page: 1, pageSize: 20 }, true)).toBe(
      '符合所选条件的记录超过 5000 条，显示第 1—20 条（未输入搜索词，按类型、所属方案和编号排列）。',
    );
    expect(statusLine({ query: '整改', total: 45, totalExact: true, page: 1, pageSize: 20 }, false)).toBe('找到 45 条记录，显示第 1—20 条。');
  });

  it('marks every facet count "at least" and explains it, only when counts are not exact', () => {
    const facets = { ...noFacets, kind: [{ value: 'item', count: 4200, label: '整改任务' }] };
    expect(facetGroups(params('q=整改'), facets, false)[0]!.shown[0]).toMatchObject({ count: 4200, countText: '≥ 4200' });
    expect(facetGroups(params('q=整改'), facets)[0]!.shown[0]).toMatchObject({ count: 4200, countText: '4200' });
    expect(facetsNote({ total: 5000, facetsExact: false })).toBe('匹配的记录较多，各项计数只统计了前 5000 条，“≥”表示实际数量不少于此数。');
    expect(facetsNote({ total: 45, facetsExact: true })).toBeUndefined();
    // An exact total with a filtered dimension counted over more matches than the limit.
    expect(facetsNote({ total: 45, totalExact: true, facetsExact: false })).toBe('不加筛选时匹配的记录较多，已筛选的各项计数只统计了其中一部分，“≥”表示实际数量不少于此数。');
  });
});
