/**
 * What keeps search fast at national scale, shown on the real content with the limits lowered
 * (`limits`): counts exact up to a limit and said to be "at least" above it, BM25 over a window of
 * the first matches by key with the rest of a tier after it, keys ordered by kind whatever the
 * order of indexing, both ways of writing the index (a script on a local file, bound statements
 * elsewhere) giving the same index, and an index of the earlier layout rebuilt by
 * `ensureSearchSchema`.
 */
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSearchIndex, type TestSearchIndex } from '../support/search-index.ts';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { parseQuery } from '../../src/search/tokenize.ts';
import {
  KIND_SHIFT,
  SEARCH_KINDS,
  ensureSearchSchema,
  replaceDocuments,
  search,
  upsertDocument,
  type SearchDb,
  type SearchDocument,
  type SearchResponse,
} from '../../src/search/index-store.ts';

let dir: string;
let client: Client;
const docs = contentDocuments(getPortal());
const ids = (r: SearchResponse) => r.results.map((h) => h.id);
const sum = (r: SearchResponse, dim: keyof SearchResponse['facets']) => r.facets[dim].reduce((n, f) => n + f.count, 0);

let index: TestSearchIndex;
beforeAll(async () => {
  index = await testSearchIndex('portal-search-scale-', docs);
  ({ client, dir } = index);
});
afterAll(() => index.close());

describe('counts above the limit', () => {
  it('are exact below it, and say so', async () => {
    const r = await search(client, { q: '整改', pageSize: 5 });
    expect(r.total).toBeGreaterThan(20);
    expect(r).toMatchObject({ totalExact: true, facetsExact: true });
    expect(sum(r, 'kind')).toBe(r.total);
  });

  it('stop at the limit and say "at least": the total and every facet', async () => {
    const exact = await search(client, { q: '整改', pageSize: 5 });
    const capped = await search(client, { q: '整改', pageSize: 5, limits: { countLimit: 10 } });
    expect(capped).toMatchObject({ total: 10, totalExact: false, facetsExact: false });
    // Counted over the first 10 matches: each count a lower bound of the exact one.
    expect(sum(capped, 'kind')).toBe(10);
    for (const f of capped.facets.region) expect(f.count).toBeLessThanOrEqual(exact.facets.region.find((e) => e.value === f.value)!.count);
    // The page itself is the same.
    expect(ids(capped)).toEqual(ids(exact));
  });

  it('count a filtered dimension over the other filters, each within the limit', async () => {
    const exact = await search(client, { q: '整改', filters: { kind: ['item'] } });
    const capped = await search(client, { q: '整改', filters: { kind: ['item'] }, limits: { countLimit: 10 } });
    expect(capped.totalExact).toBe(false);
    expect(capped.results.every((h) => h.kind === 'item')).toBe(true);
    // The kind facet still offers the other kinds (counted without the kind filter).
    expect(sum(capped, 'kind')).toBe(10);
    expect(exact.facets.kind.length).toBeGreaterThan(1);
    expect(exact.totalExact && exact.facetsExact).toBe(true);
  });

  it('count every filtered dimension, from one query, as choosing each of its values would find', async () => {
    const filters = { kind: ['item'], region: ['gansu-wuwei'], status: ['basically-completed'] };
    for (const q of ['整改', undefined]) {
      const r = await search(client, { q, filters });
      expect(r.facetsExact).toBe(true);
      for (const dim of ['kind', 'region', 'status'] as const) {
        expect(r.facets[dim].length, dim).toBeGreaterThan(0);
        for (const f of r.facets[dim]) {
          const chosen = await search(client, { q, filters: { ...filters, [dim]: [f.value] } });
          expect(f.count, `${q} ${dim}=${f.value}`).toBe(chosen.total);
        }
      }
    }
  });

  it('also in a listing without a query', async () => {
    const r = await search(client, { filters: { plan: ['wuwei-2020'] }, limits: { countLimit: 5 } });
    expect(r).toMatchObject({ total: 5, totalExact: false, facetsExact: false });
    expect(ids(r)[0]).toBe('plan:wuwei-2020');
  });
});

describe('ranking over a window of the first matches', () => {
  it('pages through the same records, each once, whatever the window', async () => {
    const all = await search(client, { q: '整改', pageSize: 100 });
    for (const rankWindow of [1, 3, 7]) {
      const paged: string[] = [];
      for (let page = 1; paged.length < all.total; page++) {
        const r = await search(client, { q: '整改', page, pageSize: 4, limits: { rankWindow } });
        expect(r.results.length).toBeGreaterThan(0);
        paged.push(...ids(r));
      }
      expect(new Set(paged).size).toBe(paged.length);
      expect([...paged].sort()).toEqual(ids(all).sort());
    }
  });

  it('ranks exactly when every match fits in the window (all of the real content does)', async () => {
    const r = await search(client, { q: '污水', pageSize: 100, limits: { rankWindow: 1000 } });
    expect(ids(await search(client, { q: '污水', pageSize: 100 }))).toEqual(ids(r));
    expect(ids(r).slice(0, 3).sort()).toEqual(['item:wuwei-2017-24', 'item:wuwei-2020-07', 'item:wuwei-2020-09']);
  });

  it('keeps records about the query first even past the window', async () => {
    // With a window of 1, 碳化硅 is still item 17 first (its title), then its two parts.
    const r = await search(client, { q: '碳化硅', limits: { rankWindow: 1 } });
    expect(ids(r)[0]).toBe('item:wuwei-2020-17');
    expect(ids(r).sort()).toEqual(['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1']);
  });
});

describe('BM25 worked out without reading every match', () => {
  it("gives FTS5's bm25() scores and order, tier by tier, for every kind of query", async () => {
    const { rows: keys } = await client.execute('SELECT doc_key, id FROM search_documents');
    const idOf = new Map(keys.map((r) => [Number(r.doc_key), String(r.id)]));
    const queries = ['污水', '污水处理厂', '汙水處理廠', '整改', '锅炉 台账', '问责 整改', 'PM2.5', '一级A', '10蒸吨', '武办字〔2020〕47号', '碳化矽', '煤', '水 锅炉', 'PM2.5 浓度'];
    for (const q of queries) {
      const parsed = parseQuery(q);
      if (!parsed.ok) throw new Error(q);
      const { match, headMatch } = parsed.query;
      // FTS5 ranking every match of each tier (all of them fit in the window on the real content).
      const expected: { id: string; score: number }[] = [];
      for (const tier of headMatch ? [headMatch, `(${match}) NOT (${headMatch})`] : [match]) {
        const { rows } = await client.execute({
          sql: 'SELECT rowid AS k, bm25(search_fts, 8, 4, 1, 1, 0) AS s FROM search_fts WHERE search_fts MATCH ? ORDER BY s, k',
          args: [tier],
        });
        expected.push(...rows.map((r) => ({ id: idOf.get(Number(r.k))!, score: Number(r.s) })));
      }
      expect(expected.length, q).toBeGreaterThan(0);
      // The real content is small: bm25() in SQL. Without that budget, the stored-text scorer; with
      // a filter every record passes, too (filter tokens weigh 0).
      for (const [filters, bm25Budget] of [[{}, undefined], [{}, 0], [{ kind: [...SEARCH_KINDS] }, 0]] as const) {
        const r = await search(client, { q, filters, pageSize: 100, limits: bm25Budget === undefined ? {} : { bm25Budget } });
        expect(ids(r), q).toEqual(expected.map((e) => e.id));
        r.results.forEach((h, i) => expect(h.score, `${q}: ${h.id}`).toBeCloseTo(expected[i]!.score, 9));
      }
    }
  });

  it('above the frequency limit, estimates the document frequency: the same order for a one-phrase query', async () => {
    for (const q of ['整改', '污水', '问责']) {
      const exact = await search(client, { q, pageSize: 100 });
      const estimated = await search(client, { q, pageSize: 100, limits: { frequencyLimit: 3, bm25Budget: 0 } });
      // One phrase: its IDF scales every score alike, so only the scores change.
      expect(ids(estimated), q).toEqual(ids(exact));
      expect(estimated.results.some((h, i) => h.score !== exact.results[i]!.score), q).toBe(true);
    }
  });
});

describe('keys', () => {
  it('order by kind whatever was indexed first: a complaint after content reindexed later', async () => {
    const complaint: SearchDocument = {
      id: 'complaint:SCALE2345ABCD',
      source: 'complaint',
      kind: 'complaint',
      title: '（测试数据）某砖厂冒黑烟',
      url: '/complaints/x/',
      fields: [{ key: 'description', label: '问题描述', column: 'problem', text: '（测试数据）夜间整改不到位。' }],
      facets: {},
    };
    await upsertDocument(client, complaint);
    await replaceDocuments(client, CONTENT_SOURCE, docs);
    const { rows } = await client.execute({ sql: 'SELECT doc_key, kind FROM search_documents ORDER BY doc_key', args: [] });
    const kinds = rows.map((r) => SEARCH_KINDS.indexOf(String(r.kind) as (typeof SEARCH_KINDS)[number]));
    expect(kinds).toEqual([...kinds].sort((a, b) => a - b));
    expect(rows.at(-1)!.kind).toBe('complaint');
    expect(Math.floor(Number(rows.at(-1)!.doc_key) / 2 ** KIND_SHIFT)).toBe(SEARCH_KINDS.indexOf('complaint'));
    expect((await search(client, { q: '冒黑烟' })).results.map((h) => h.id)).toEqual([complaint.id]);
    await client.batch([
      { sql: 'DELETE FROM search_fts WHERE rowid IN (SELECT doc_key FROM search_documents WHERE source = ?)', args: ['complaint'] },
      { sql: 'DELETE FROM search_doc_facets WHERE doc_key IN (SELECT doc_key FROM search_documents WHERE source = ?)', args: ['complaint'] },
      { sql: 'DELETE FROM search_documents WHERE source = ?', args: ['complaint'] },
    ]);
  });
});

describe('writing the index', () => {
  it('gives the same index through bound statements (remote clients) as through scripts (a local file)', async () => {
    const other = createClient({ url: `file:${join(dir, 'bound.db')}` });
    // Without `protocol` and `transaction`, replaceDocuments takes the path a Turso client takes.
    const bound: SearchDb = { execute: (s) => other.execute(s), batch: (s, m) => other.batch(s, m) };
    await ensureSearchSchema(bound);
    expect(await replaceDocuments(bound, CONTENT_SOURCE, docs)).toBe(docs.length);
    for (const q of ['污水', '整改', 'PM2.5', '碳化矽', '煤']) {
      const [a, b] = [await search(client, { q, pageSize: 100 }), await search(bound, { q, pageSize: 100 })];
      expect(ids(b)).toEqual(ids(a));
      expect(b.facets).toEqual(a.facets);
    }
    other.close();
  });

  it('rebuilds an index of the earlier layout (no facets column) instead of writing into it', async () => {
    const old = createClient({ url: `file:${join(dir, 'old.db')}` });
    await old.batch([
      'CREATE TABLE search_documents (doc_key INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, kind TEXT NOT NULL, kind_order INTEGER NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL, date TEXT, year INTEGER, fields TEXT NOT NULL, facets TEXT NOT NULL)',
      "CREATE VIRTUAL TABLE search_fts USING fts5(title, problem, body, chars, tokenize = \"unicode61 tokenchars '.'\", content = '', contentless_delete = 1)",
      "INSERT INTO search_documents (id, source, kind, kind_order, title, url, fields, facets) VALUES ('item:old', 'content', 'item', 1, 'old', '/', '[]', '{}')",
    ]);
    await ensureSearchSchema(old);
    const { rows } = await old.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'");
    expect(String(rows[0]!.sql)).toContain('facets');
    expect((await old.execute('SELECT count(*) AS n FROM search_documents')).rows[0]!.n).toBe(0);
    await replaceDocuments(old, CONTENT_SOURCE, docs);
    expect(ids(await search(old, { q: '碳化硅' }))).toEqual(['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1']);
    old.close();
  });
});
