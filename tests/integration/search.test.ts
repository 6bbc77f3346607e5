/**
 * The search index and API on a real libSQL file in a temporary folder,
 * indexed from the real content (`content/`). Expected records were found by
 * reading the content files; each seed query also checks that every result
 * really contains the query (no false hits).
 */
import type { Client } from '@libsql/client';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRoutes } from '../../functions/search.ts';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments, facetLabels, regionKeys } from '../../src/search/content-docs.ts';
import {
  SEARCH_KINDS,
  removeDocument,
  replaceDocuments,
  search,
  upsertDocument,
  type SearchDocument,
  type SearchFilters,
  type SearchResponse,
} from '../../src/search/index-store.ts';
import { foldText } from '../../src/search/text.ts';
import { testApi } from '../support/api.ts';
import { testSearchIndex, type TestSearchIndex } from '../support/search-index.ts';

let client: Client;
const portal = getPortal();
const docs = contentDocuments(portal);
const docById = new Map(docs.map((d) => [d.id, d]));

let index: TestSearchIndex;
beforeAll(async () => {
  index = await testSearchIndex('portal-search-', docs);
  ({ client } = index);
});
afterAll(() => index.close());

const run = (q: string, filters: SearchFilters = {}, page = 1, pageSize = 100) => search(client, { q, filters, page, pageSize });
const ids = (r: SearchResponse) => r.results.map((h) => h.id);

/** Every result holds the query in its folded text: the index gives no false hits. */
function expectNoFalseHits(r: SearchResponse, ...terms: string[]) {
  for (const id of ids(r)) {
    const doc = docById.get(id)!;
    const text = foldText([doc.title, ...doc.fields.map((f) => f.text)].join('\n'));
    for (const term of terms) expect(text, `${id} should contain ${term}`).toContain(foldText(term));
  }
}

describe('seed queries of the issue, on the real content', () => {
  it('污水 finds the wastewater items, not 污染水体-like text', async () => {
    const r = await run('污水');
    expect(ids(r)).toEqual(expect.arrayContaining(['item:wuwei-2020-07', 'item:wuwei-2020-09', 'item:wuwei-2017-24', 'item:wuwei-2020-06']));
    expectNoFalseHits(r, '污水');
    expect(r.total).toBe(r.results.length);
  });

  it('汙水處理廠 (Traditional) finds the Simplified items 7 and 9, highlighted as printed', async () => {
    const r = await run('汙水處理廠');
    expect(ids(r).sort()).toEqual(['item:wuwei-2020-07', 'item:wuwei-2020-09']);
    const item9 = r.results.find((h) => h.id === 'item:wuwei-2020-09')!;
    expect(item9.titleHtml).toBe('第9项 一些<mark>污水处理厂</mark>超标排放严重');
    expect(item9.snippets[0]!.html).toContain('一些<mark>污水处理厂</mark>超标排放严重');
    expect(item9.url).toBe('/items/wuwei-2020-09/');
  });

  it('PM2.5 finds the air-quality items, and not 2.5万户 or PM10 alone', async () => {
    const r = await run('PM2.5');
    expect(ids(r).sort()).toEqual(['item:wuwei-2020-05', 'item:wuwei-2020-10']);
    expect(ids(await run('ＰＭ２．５')).sort()).toEqual(ids(r).sort());
    // The amendment of item 14 has 2.5万户 but no PM2.5.
    expect(ids(await run('2.5万户'))).toContain('amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-14:measures');
    const snippet = r.results.find((h) => h.id === 'item:wuwei-2020-10')!.snippets[0]!;
    expect(snippet.html).toContain('细颗粒物(<mark>PM2.5</mark>)');
  });

  it('一级A finds the items on the 一级A discharge standard only', async () => {
    const r = await run('一级A');
    expect(ids(r).sort()).toEqual(['item:wuwei-2020-07', 'item:wuwei-2020-09']);
    expectNoFalseHits(r, '一级a');
  });

  it('散煤 finds the loose-coal item, item 12 and its amendment', async () => {
    const r = await run('散煤');
    expect(ids(r).sort()).toEqual(['amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-12:measures', 'item:wuwei-2020-12', 'item:wuwei-2020-13']);
    expect(ids(r)[0]).toBe('item:wuwei-2020-13');
  });

  it('碳化硅 and Taiwan’s 碳化矽 find item 17 and both its parts, the item first', async () => {
    const r = await run('碳化硅');
    expect(ids(r)).toEqual(['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1']);
    expect(ids(await run('碳化矽'))).toEqual(ids(r));
    expect(r.results[1]!.url).toBe('/items/wuwei-2020-17/#part-0');
  });

  it('10蒸吨 finds item 16 and not 20蒸吨', async () => {
    expect(ids(await run('10蒸吨'))).toEqual(['item:wuwei-2020-16']);
  });

  it('a Simplified query finds Traditional records, highlighted in Traditional', async () => {
    const r = await run('清洁取暖');
    expect(ids(r)).toEqual(
      expect.arrayContaining([
        'reporting-round:gansu-2020-clean-heating-verification',
        'case:gansu-clean-heating-verification-unreported',
        'case:gansu-clean-heating-verification-perfunctory',
        'item:wuwei-2020-14',
      ]),
    );
    const round = r.results.find((h) => h.kind === 'reporting-round')!;
    expect(round.snippets.map((s) => s.html).join('')).toContain('<mark>清潔取暖</mark>');
  });

  it('finds text behind pinyin artefacts and highlights the original, artefacts included', async () => {
    const r = await run('环保督察');
    expect(ids(r)).toContain('progress-summary:ankang-2018');
    const hit = r.results.find((h) => h.id === 'progress-summary:ankang-2018')!;
    expect(hit.snippets[0]!.html).toContain('<mark>環(huán)保督察</mark>');
  });

  it('finds a query pasted across a line break', async () => {
    expect(ids(await run('碳化\n硅'))).toEqual(ids(await run('碳化硅')));
  });

  it('ranks records with the query in the title or problem above those with it only in the body', async () => {
    for (const q of ['污水', '清洁取暖', '锅炉', '散煤', 'PM2.5']) {
      const r = await run(q);
      const inHead = r.results.map((h) => {
        const doc = docById.get(h.id)!;
        return [doc.title, ...doc.fields.filter((f) => f.column === 'problem').map((f) => f.text)].some((t) => foldText(t).includes(foldText(q)));
      });
      // All head matches first, then the rest.
      expect(inHead, q).toEqual([...inHead].sort((a, b) => Number(b) - Number(a)));
    }
    const r = await run('污水');
    expect(ids(r).indexOf('item:wuwei-2020-07')).toBeLessThan(ids(r).indexOf('item:wuwei-2020-06'));
  });

  it('pages across the two ranking tiers without gaps or repeats', async () => {
    const all = ids(await run('锅炉'));
    const paged: string[] = [];
    for (let page = 1; page <= all.length; page++) paged.push(...ids(await run('锅炉', {}, page, 1)));
    expect(paged).toEqual(all);
    const filteredAll = ids(await run('锅炉', { region: ['gansu'] }));
    const filteredPaged: string[] = [];
    for (let page = 1; page <= filteredAll.length; page++) filteredPaged.push(...ids(await run('锅炉', { region: ['gansu'] }, page, 2)));
    expect(filteredPaged).toEqual(filteredAll);
  });
});

describe('document numbers (文号)', () => {
  const WUWEI_2020 = '武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案';
  const REVIEWED = [
    'amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-06:deadline',
    'amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-10:target',
    'amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-12:measures',
    'amendment:wuwei-2020-supplement-2020-11-25:wuwei-2020-14:measures',
  ];

  it('finds the plan by its number however the year’s brackets are typed, highlighted as printed', async () => {
    const printed = await run('武办字〔2020〕47号');
    expect(ids(printed)).toEqual(['plan:wuwei-2020']);
    expect(printed.results[0]).toMatchObject({ kind: 'plan', kindLabel: '整改方案', title: WUWEI_2020, url: '/plans/wuwei-2020/', plan: null });
    expect(printed.results[0]!.snippets[0]).toMatchObject({ label: '文号', html: '<mark>武办字〔2020〕47号</mark>' });
    for (const typed of ['武办字[2020]47号', '武办字［2020］47号', '武办字（2020）47号', '武办字(2020)47号', '武办字【2020】47号', '〔2020〕47号', '[2020]47号']) {
      expect(ids(await run(typed)), typed).toEqual(ids(printed));
    }
  });

  it('matches the year and the number together: 〔2020〕47号 is not 〔2020〕126号', async () => {
    expect(ids(await run('〔2020〕126号'))).toEqual(['reporting-round:gansu-2020-clean-heating-verification']);
    expect(ids(await run('〔2020〕47号'))).not.toContain('reporting-round:gansu-2020-clean-heating-verification');
  });

  it('finds the amendment review 甘整改函〔2020〕16号 on the plan and on every change it asked for', async () => {
    for (const q of ['甘整改函', '甘整改函〔2020〕16号', '甘整改函[2020]16号']) {
      const r = await run(q);
      expect(ids(r)[0], q).toBe('plan:wuwei-2020');
      expect(ids(r).slice(1).sort(), q).toEqual(REVIEWED);
    }
  });

  it('finds the first-round plan and the items that cite its number, and a request in Traditional (號)', async () => {
    const r = await run('武办发〔2017〕90号');
    expect(ids(r)[0]).toBe('plan:wuwei-2017');
    expect(ids(r)).toEqual(expect.arrayContaining(['item:wuwei-2017-14', 'item:wuwei-2017-24']));
    expectNoFalseHits(r, '武办发', '2017', '90号');
    expect(ids(await run('甘建函[2020]126号'))).toEqual(['reporting-round:gansu-2020-clean-heating-verification']);
  });
});

describe('results name their plan', () => {
  it('names the plan of an item, a part and an amendment, from the plan’s record', async () => {
    const plan = { id: 'wuwei-2020', title: '武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案', url: '/plans/wuwei-2020/' };
    const item9 = (await run('汙水處理廠')).results.find((h) => h.id === 'item:wuwei-2020-09')!;
    expect(item9.plan).toEqual(plan);
    expect(item9.title).toBe('第9项 一些污水处理厂超标排放严重');
    const carbide = await run('碳化硅');
    expect(carbide.results.map((h) => h.plan?.id)).toEqual(['wuwei-2020', 'wuwei-2020', 'wuwei-2020']);
    const amendment = (await run('散煤')).results.find((h) => h.kind === 'amendment')!;
    expect(amendment.plan).toEqual(plan);
    const first = (await run('污水')).results.find((h) => h.id === 'item:wuwei-2017-24')!;
    expect(first.plan).toEqual({ id: 'wuwei-2017', title: '武威市贯彻落实中央环境保护督察反馈意见整改方案', url: '/plans/wuwei-2017/' });
  });

  it('names no plan for records that belong to none', async () => {
    const r = await run('清洁取暖');
    for (const h of r.results.filter((x) => x.kind === 'case' || x.kind === 'reporting-round')) expect(h.plan, h.id).toBeNull();
  });
});

describe('listing by filters without a query', () => {
  /** The ids a filter allows, from the documents themselves. */
  const allowedBy = (dim: 'unit' | 'plan' | 'region', value: string) => docs.filter((d) => d.facets[dim]?.includes(value)).map((d) => d.id);
  const list = (filters: SearchFilters, page = 1, pageSize = 100) => search(client, { q: '', filters, page, pageSize, labels: facetLabels(portal) });

  it('lists every record of a unit, with facet counts over the listing', async () => {
    for (const unit of ['wuwei-ecology', 'wuwei-county-govs']) {
      const r = await list({ unit: [unit] });
      expect(r.query).toBe('');
      expect(ids(r).sort(), unit).toEqual(allowedBy('unit', unit).sort());
      expect(r.total).toBe(r.results.length);
      expect(r.facets.kind.reduce((n, f) => n + f.count, 0)).toBe(r.total);
      // The filtered dimension keeps its other values selectable.
      expect(r.facets.unit.find((f) => f.value === unit)).toMatchObject({ count: r.total, label: expect.any(String) });
      expect(r.facets.unit.length).toBeGreaterThan(1);
      // Nothing to highlight, but each result still shows its opening text.
      expect(r.results.every((h) => !h.titleHtml.includes('<mark>') && h.snippets.every((s) => s.marks.length === 0))).toBe(true);
    }
  });

  it('lists in a stable order: the plan first, then by kind, then plan and item number', async () => {
    const r = await list({ plan: ['wuwei-2020'] });
    expect(ids(r).sort()).toEqual(allowedBy('plan', 'wuwei-2020').sort());
    expect(ids(r)[0]).toBe('plan:wuwei-2020');
    const kindRank = r.results.map((h) => SEARCH_KINDS.indexOf(h.kind));
    expect(kindRank).toEqual([...kindRank].sort((a, b) => a - b));
    const items = ids(r).filter((id) => id.startsWith('item:'));
    expect(items.slice(0, 3)).toEqual(['item:wuwei-2020-01', 'item:wuwei-2020-02', 'item:wuwei-2020-03']);
    expect(items).toEqual([...items].sort());
    const paged: string[] = [];
    for (let page = 1; paged.length < r.total; page++) paged.push(...ids(await list({ plan: ['wuwei-2020'] }, page, 7)));
    expect(paged).toEqual(ids(r));
  });

  it('takes any filter alone: region (with the regions below), kind, status, year', async () => {
    const county = await list({ region: ['gansu-wuwei-liangzhou'] });
    expect(county.total).toBe(allowedBy('region', 'gansu-wuwei-liangzhou').length);
    expect(county.total).toBeGreaterThan(0);
    const cases = await list({ kind: ['case'] });
    expect(ids(cases).sort()).toEqual(docs.filter((d) => d.kind === 'case').map((d) => d.id).sort());
    expect((await list({ status: ['on-schedule'] })).results.every((h) => h.facets.status?.includes('on-schedule'))).toBe(true);
    const in2022 = await list({ from: 2022, to: 2022 });
    expect(in2022.total).toBeGreaterThan(0);
    expect(in2022.results.every((h) => h.date!.startsWith('2022'))).toBe(true);
    expect((await list({ from: 2099 })).total).toBe(0);
  });

  it('refuses neither a query nor a filter, rather than listing everything', async () => {
    await expect(search(client, { q: '' })).rejects.toThrow(/请输入搜索词/);
    await expect(search(client, { q: '  ', filters: { unit: [] } })).rejects.toThrow(/请输入搜索词/);
  });
});

describe('facets and filters', () => {
  it('counts every dimension over the whole match set', async () => {
    const r = await run('整改', {}, 1, 5);
    expect(r.results).toHaveLength(5);
    expect(r.total).toBeGreaterThan(5);
    const kinds = r.facets.kind.reduce((n, f) => n + f.count, 0);
    expect(kinds).toBe(r.total);
    expect(r.facets.kind.find((f) => f.value === 'item')!.label).toBe('整改任务');
    expect(r.facets.year.length).toBeGreaterThan(0);
  });

  it('filters by region including the regions below, and keeps the region facet selectable', async () => {
    const all = await run('污水');
    const r = await run('污水', { region: ['gansu-wuwei-liangzhou'] });
    expect(ids(r).sort()).toEqual(['item:wuwei-2017-24', 'item:wuwei-2020-09']);
    // The filtered dimension is counted without its own filter.
    expect(r.facets.region.find((f) => f.value === 'gansu-wuwei')!.count).toBe(all.total);
    // Other dimensions are counted over the filtered set.
    expect(r.facets.kind.reduce((n, f) => n + f.count, 0)).toBe(r.total);
    const province = await run('污水', { region: ['gansu'] });
    expect(province.total).toBe(all.total);
  });

  it('filters by kind, status, topic, plan and year range; values of one filter are alternatives', async () => {
    expect(ids(await run('碳化硅', { kind: ['part'] }))).toEqual(['part:wuwei-2020-17:0', 'part:wuwei-2020-17:1']);
    expect((await run('碳化硅', { kind: ['part', 'item'] })).total).toBe(3);
    expect(ids(await run('污水', { topic: ['wastewater'], plan: ['wuwei-2017'] }))).toEqual(['item:wuwei-2017-24']);
    const status = await run('污水', { status: ['on-schedule'] });
    expect(ids(status)).toEqual(['item:wuwei-2017-24']);
    expect((await run('污水', { from: 2021 })).total).toBe(0);
    expect((await run('污水', { from: 2020, to: 2020 })).total).toBe((await run('污水')).total);
    const cases = await run('整改', { kind: ['case'], from: 2022, to: 2022 });
    expect(cases.results.every((h) => h.kind === 'case' && h.date!.startsWith('2022'))).toBe(true);
  });

  it('labels facet values with their Chinese names when given labels', async () => {
    const r = await search(client, { q: '污水', labels: facetLabels(portal) });
    expect(r.facets.region.find((f) => f.value === 'gansu-wuwei')!.label).toBe('武威市');
    expect(r.facets.status.find((f) => f.value === 'on-schedule')!.label).toBe('达到序时进度');
  });
});

describe('pagination', () => {
  it('pages through a stable order without overlap', async () => {
    const whole = await run('整改', {}, 1, 12);
    const first = await run('整改', {}, 1, 6);
    const second = await run('整改', {}, 2, 6);
    expect([...ids(first), ...ids(second)]).toEqual(ids(whole));
    expect(first.total).toBe(whole.total);
    expect(second.page).toBe(2);
    const beyond = await run('整改', {}, 100, 100);
    expect(beyond.results).toEqual([]);
    expect(beyond.total).toBe(whole.total);
  });

  it('breaks score ties by kind, then id', async () => {
    // The 11 first-round items share one status note: equal text, equal scores.
    const r = await run('不断巩固成效');
    const tied = r.results.filter((h) => h.score === r.results[0]!.score).map((h) => h.id);
    expect(tied.length).toBeGreaterThan(1);
    expect(tied).toEqual([...tied].sort());
  });

  it('rejects a page size above 100', async () => {
    await expect(run('污水', {}, 1, 101)).rejects.toThrow(/每页条数/);
  });
});

describe('published complaints: in and out of the index inside the caller’s transaction', () => {
  const complaint: SearchDocument = {
    id: 'complaint:TEST2345ABCDE',
    source: 'complaint',
    kind: 'complaint',
    title: '凉州区某砖厂夜间冒黑烟',
    url: '/api/complaints/TEST2345ABCDE',
    date: '2026-11-20',
    fields: [
      { key: 'description', label: '问题描述', column: 'problem', text: '（测试数据）夜间工厂烟囱冒黑烟，气味刺鼻。' },
      { key: 'result', label: '处理结果', column: 'body', text: '（测试数据）经现场核查，责令停产整改。' },
    ],
    facets: { region: regionKeys(portal, ['gansu-wuwei-liangzhou']), unit: ['wuwei-ecology'], pollution: ['大气'] },
  };

  it('is not visible when the transaction rolls back, visible after commit, gone after removal', async () => {
    let tx = await client.transaction('write');
    await upsertDocument(tx, complaint);
    await tx.rollback();
    expect((await run('冒黑烟')).total).toBe(0);

    tx = await client.transaction('write');
    await upsertDocument(tx, complaint);
    await tx.commit();
    const found = await run('冒黑烟', { pollution: ['大气'], region: ['gansu-wuwei'] });
    expect(ids(found)).toEqual(['complaint:TEST2345ABCDE']);
    expect(found.results[0]!.snippets[0]!.html).toContain('烟囱<mark>冒黑烟</mark>');
    expect(found.facets.pollution).toEqual([{ value: '大气', count: 1 }]);

    // Upserting again replaces, never duplicates.
    await upsertDocument(client, { ...complaint, title: '凉州区某砖厂夜间冒黑烟（已处理）' });
    expect((await run('冒黑烟')).total).toBe(1);

    tx = await client.transaction('write');
    await removeDocument(tx, complaint.id);
    await tx.commit();
    expect((await run('冒黑烟')).total).toBe(0);
    const left = await client.execute({ sql: 'SELECT (SELECT count(*) FROM search_documents WHERE id = ?) + (SELECT count(*) FROM search_doc_facets WHERE doc_key NOT IN (SELECT doc_key FROM search_documents)) AS n', args: [complaint.id] });
    expect(left.rows[0]!.n).toBe(0);
  });

  it('survives a content reindex, which replaces only the content source', async () => {
    await upsertDocument(client, complaint);
    await replaceDocuments(client, CONTENT_SOURCE, docs);
    expect(ids(await run('冒黑烟'))).toEqual(['complaint:TEST2345ABCDE']);
    expect((await run('碳化硅')).total).toBe(3);
    await removeDocument(client, complaint.id);
  });

  it('refuses documents of another source in a replace', async () => {
    await expect(replaceDocuments(client, CONTENT_SOURCE, [complaint])).rejects.toThrow(/来源/);
  });
});

describe('GET /api/search', () => {
  const app = () => searchRoutes({ client, labels: facetLabels(portal) });
  const get = (query: string) => app().request(`/?${query}`);

  async function expectBadRequest(res: Response, field: string) {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; fields?: Record<string, string> } };
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(body.error.fields?.[field]).toMatch(/[\u4e00-\u9fff]/);
  }

  it('answers a search with results, facets and paging', async () => {
    const res = await get(`q=${encodeURIComponent('汙水處理廠')}&pageSize=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as SearchResponse;
    expect(body).toMatchObject({ query: '汙水處理廠', total: 2, page: 1, pageSize: 1 });
    expect(body.results).toHaveLength(1);
    expect(body.facets.region.find((f) => f.value === 'gansu-wuwei')).toMatchObject({ count: 2, label: '武威市' });
  });

  it('takes filters repeated or comma-separated', async () => {
    const a = (await (await get(`q=${encodeURIComponent('碳化硅')}&kind=item&kind=part`)).json()) as SearchResponse;
    const b = (await (await get(`q=${encodeURIComponent('碳化硅')}&kind=item,part&region=gansu-wuwei-tianzhu&from=2020&to=2020`)).json()) as SearchResponse;
    expect(a.total).toBe(3);
    expect(b.total).toBe(3);
  });

  it('downloads the result set as CSV with a byte-order mark', async () => {
    const res = await get(`q=${encodeURIComponent('污水')}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
    expect(res.headers.get('Content-Disposition')).toMatch(/attachment/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(['item:wuwei-2020-07', 'item:wuwei-2020-09']));
    expect(rows[0]).toMatchObject({ kind_label: '整改任务' });
    expect(rows.find((r) => r.id === 'item:wuwei-2020-07')!.excerpt).toContain('污水');
  });

  it('lists a unit’s records without q, with facets, paging and CSV', async () => {
    const res = await get('unit=wuwei-county-govs&pageSize=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    const body = (await res.json()) as SearchResponse;
    const expected = docs.filter((d) => d.facets.unit?.includes('wuwei-county-govs')).length;
    expect(body).toMatchObject({ query: '', total: expected, page: 1, pageSize: 5 });
    expect(body.results).toHaveLength(5);
    expect(body.facets.unit.find((f) => f.value === 'wuwei-county-govs')).toMatchObject({ count: expected, label: '各县区政府' });
    const second = (await (await get('unit=wuwei-county-govs&pageSize=5&page=2')).json()) as SearchResponse;
    expect(second.results.map((h) => h.id).filter((id) => body.results.some((h) => h.id === id))).toEqual([]);
    const csv = await get('q=&unit=wuwei-county-govs&format=csv');
    expect(csv.status).toBe(200);
    const rows = parse(new TextDecoder().decode(await csv.arrayBuffer()), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(expected);
    expect((await get('kind=case')).status).toBe(200);
    expect(((await (await get('from=2022&to=2022')).json()) as SearchResponse).total).toBeGreaterThan(0);
  });

  it('still answers 400 for neither a query nor a filter, and for a query with nothing searchable', async () => {
    await expectBadRequest(await get('unit='), 'q');
    await expectBadRequest(await get('page=2'), 'q');
    await expectBadRequest(await get(`q=${encodeURIComponent('（）！')}&unit=wuwei-ecology`), 'q');
    await expectBadRequest(await get('unit=Wuwei_Ecology'), 'unit');
  });

  it('names the plan of each result in the JSON and the CSV', async () => {
    const body = (await (await get(`q=${encodeURIComponent('汙水處理廠')}`)).json()) as SearchResponse;
    expect(body.results.map((h) => h.plan?.title)).toEqual(['武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案', '武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案']);
    const csv = await get(`q=${encodeURIComponent('污水')}&format=csv`);
    const rows = parse(new TextDecoder().decode(await csv.arrayBuffer()), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.find((r) => r.id === 'item:wuwei-2020-07')).toMatchObject({ title: '第7项 污水管网建设和污水处理厂提标改造等整改工作进展缓慢', plan: '武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案' });
    expect(rows.find((r) => r.id === 'item:wuwei-2017-24')!.plan).toBe('武威市贯彻落实中央环境保护督察反馈意见整改方案');
  });

  it('answers 400 with the bad parameter named, in Chinese', async () => {
    await expectBadRequest(await get(''), 'q');
    await expectBadRequest(await get('q='), 'q');
    await expectBadRequest(await get('q=%20%20'), 'q');
    await expectBadRequest(await get(`q=${'污'.repeat(101)}`), 'q');
    await expectBadRequest(await get(`q=${encodeURIComponent('（）！')}`), 'q');
    await expectBadRequest(await get('q=a&pageSize=101'), 'pageSize');
    await expectBadRequest(await get('q=a&pageSize=0'), 'pageSize');
    await expectBadRequest(await get('q=a&page=-1'), 'page');
    await expectBadRequest(await get('q=a&page=1e3'), 'page');
    await expectBadRequest(await get('q=a&kind=news'), 'kind');
    await expectBadRequest(await get('q=a&region=Gansu_Wuwei'), 'region');
    await expectBadRequest(await get(`q=a&pollution=${encodeURIComponent('核废料')}`), 'pollution');
    await expectBadRequest(await get('q=a&status=done'), 'status');
    await expectBadRequest(await get('q=a&from=2022&to=2020'), 'to');
    await expectBadRequest(await get('q=a&from=20x0'), 'from');
    await expectBadRequest(await get('q=a&format=xml'), 'format');
  });

  it('never answers 500 to FTS5 syntax in a query', async () => {
    const hostile = [
      '"', '"污水', '污水*', '*', '(', ')', '(污水', '污水)', ':', 'title:污水', '{title}:污水', '{chars}:煤', '^污水', '-污水', '+污水',
      'NEAR(污水 处理, 2)', '污水 NEAR 处理', 'AND', 'OR', 'NOT', '污水 AND', 'OR 污水', '污水 OR 散煤 NOT 煤', "'", '\\', '%', '_',
      '"; DROP TABLE search_documents; --', '污水\uE000处理', '\uE000', 'a"b', '"污水" "处理"', 'pm2.5*', '2.5.5', '..', '.5',
    ];
    for (const q of hostile) {
      const res = await get(`q=${encodeURIComponent(q)}`);
      expect([200, 400], q).toContain(res.status);
    }
    expect((await client.execute('SELECT count(*) AS n FROM search_documents')).rows[0]!.n).toBe(docs.length);
  });
});

describe('GET /api/search: caching and rate limit', () => {
  it('lets results be cached for a minute and refusals not at all', async () => {
    const app = searchRoutes({ client });
    const ok = await app.request(`/?q=${encodeURIComponent('污水')}`);
    expect(ok.headers.get('Cache-Control')).toBe('public, max-age=60');
    const csv = await app.request(`/?q=${encodeURIComponent('污水')}&format=csv`);
    expect(csv.headers.get('Cache-Control')).toBe('public, max-age=60');
    const bad = await app.request('/?q=');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('Cache-Control')).toBe('no-store');
  });

  it('answers 429 with Retry-After once the client is over its limit, before searching', async () => {
    let allowed = 2;
    const app = searchRoutes({ client, limit: async () => (allowed-- > 0 ? undefined : 42) });
    const q = `/?q=${encodeURIComponent('散煤')}`;
    expect((await app.request(q)).status).toBe(200);
    expect((await app.request(q)).status).toBe(200);
    const refused = await app.request(q);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('42');
    expect(refused.headers.get('Cache-Control')).toBe('no-store');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});

describe('the app counts searches against each client’s limit in the database', () => {
  it('refuses the client over its limit and serves another client', async () => {
    const api = await testApi({ limits: { search: { max: 2, windowSeconds: 600 } } });
    try {
      const q = `/api/search?q=${encodeURIComponent('污水')}`;
      const as = (client: string) => api.app.request(q, { headers: { 'X-Test-Client': client } });
      expect((await as('203.0.113.1')).status).toBe(200);
      expect((await as('203.0.113.1')).status).toBe(200);
      expect((await as('203.0.113.1')).status).toBe(429);
      expect((await as('203.0.113.2')).status).toBe(200);
    } finally {
      api.close();
    }
  });
});
