/**
 * The search page's two paths agree: for the seed queries, the search
 * API (libSQL index of the content) and the Pagefind fallback over the built
 * site (src/search/static-search.ts, as the page runs it) find the same
 * record pages. Pagefind also finds list pages (topics, regions …) that the
 * API does not index as records; those are outside the comparison.
 */
import { createClient, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments, search, searchAll } from '../../src/search/index-store.ts';
import { queryTerms, queryVariants, staticSearch, type PagefindLike } from '../../src/search/static-search.ts';
import { loadPagefind } from '../support/pagefind.ts';

const SEED_QUERIES = ['污水', '汙水處理廠', 'PM2.5', '一级A', '散煤', '碳化硅', '碳化矽', '清洁取暖', '清潔取暖', '10蒸吨', '假章', '锅炉'];

/** Pages that show one searchable record (the API's result URLs without their #fragment). */
const RECORD_PAGE = /^\/(items|cases|reporting)\/[^/]+\/$|^\/progress\/$/;

let client: Client;
let pagefind: PagefindLike;
beforeAll(async () => {
  client = createClient({ url: ':memory:' });
  await ensureSearchSchema(client);
  await replaceDocuments(client, CONTENT_SOURCE, contentDocuments(getPortal()));
  pagefind = (await loadPagefind()) as unknown as PagefindLike;
});
afterAll(() => client.close());

const page = (url: string) => url.replace(/#.*$/, '');

describe('API and Pagefind fallback find the same records', () => {
  it.each(SEED_QUERIES)('%s', async (q) => {
    const api = new Set((await searchAll(client, { q }, 1000)).results.map((h) => page(h.url)));
    const { hits, truncated } = await staticSearch(pagefind, q);
    const fallback = new Set(hits.map((h) => page(h.url)).filter((u) => RECORD_PAGE.test(u)));
    expect(truncated).toBe(false);
    expect(api.size).toBeGreaterThan(0);
    expect([...fallback].sort()).toEqual([...api].sort());
  });

  it('keeps Pagefind’s highlighted excerpt and the page title', async () => {
    const { hits } = await staticSearch(pagefind, '汙水處理廠');
    const item9 = hits.find((h) => h.url === '/items/wuwei-2020-09/')!;
    expect(item9.title).toContain('污水处理厂');
    expect(item9.excerptHtml).toContain('<mark>');
  });

  it('names the plan of an item page as the API names the plan of its item', async () => {
    for (const q of ['汙水處理廠', '污水', '碳化硅']) {
      const api = (await search(client, { q, pageSize: 100 })).results.filter((h) => h.kind === 'item');
      const { hits } = await staticSearch(pagefind, q);
      expect(api.length, q).toBeGreaterThan(0);
      for (const h of api) {
        const page = hits.find((x) => x.url === h.url);
        expect(page, `${q}: ${h.url}`).toBeDefined();
        expect(page!.plan, h.url).toBe(h.plan!.title);
        expect(page!.title, h.url).toBe(h.title);
      }
    }
    // Pages that are no item's have no plan to name.
    const { hits } = await staticSearch(pagefind, '清洁取暖');
    expect(hits.find((h) => h.url.startsWith('/cases/'))!.plan).toBeUndefined();
  });

  it('finds a document number typed with other brackets than printed', async () => {
    for (const q of ['武办字〔2020〕47号', '武办字[2020]47号', '武办字（2020）47号']) {
      const { hits } = await staticSearch(pagefind, q);
      expect(hits.map((h) => h.url), q).toContain('/plans/wuwei-2020/');
    }
  });

  it('drops pages that have the words of a phrase apart (Pagefind alone would keep them)', async () => {
    // The mixed spelling is segmented into 污水 and single characters found anywhere on a page.
    const loose = await pagefind.search('污水處理廠');
    const looseUrls = await Promise.all(loose!.results.map(async (r) => (await r.data()).url));
    const { hits } = await staticSearch(pagefind, '污水处理厂');
    expect(looseUrls.length).toBeGreaterThan(hits.length);
    expect(hits.map((h) => h.url).sort()).toEqual(['/items/wuwei-2020-07/', '/items/wuwei-2020-09/']);
  });
});

describe('query spellings searched in Pagefind', () => {
  it('searches as typed, folded to Simplified, and in Traditional', () => {
    expect(queryVariants('汙水處理廠')).toEqual(['汙水處理廠', '污水处理厂', '污水處理廠']);
    expect(queryVariants('清洁取暖')).toEqual(['清洁取暖', '清潔取暖']);
    expect(queryVariants('ＰＭ２．５')).toEqual(['ＰＭ２．５', 'pm2.5']);
    expect(queryVariants('  污水   散煤 ')).toEqual(['污水 散煤']);
  });

  it('matches the terms the API matches: whitespace-separated, folded', () => {
    expect(queryTerms('汙水  PM2.5')).toEqual(['污水', 'pm2.5']);
    expect(queryTerms('碳化矽')).toEqual(['碳化硅']);
    expect(queryTerms('武办字[2020]47号 甘建函（2020）126號')).toEqual(['武办字〔2020〕47号', '甘建函〔2020〕126号']);
  });
});

describe('facet names for the Worker', () => {
  it('are published with the build, the same as the Node server uses', async () => {
    const { readFileSync } = await import('node:fs');
    const { facetLabels } = await import('../../src/search/content-docs.ts');
    const published = JSON.parse(readFileSync('dist/client/data/search-labels.json', 'utf8')) as Record<string, Record<string, string>>;
    expect(published.region!['gansu-wuwei']).toBe('武威市');
    expect(published).toEqual(JSON.parse(JSON.stringify(facetLabels(getPortal()))));
  });
});
