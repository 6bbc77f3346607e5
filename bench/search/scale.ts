/**
 * Latency at scale: SYNTHETIC documents, generated into a temporary folder
 * (os.tmpdir(), deleted at the end), at 10,000 and 100,000 documents. Prints
 * build time, index size on disk and p50/p95 latency per query class of a full
 * API answer (`search()`: ranked page of 20, total and facet counts over the
 * whole match set, highlighted snippets). For reference it also times FTS5
 * alone ranking every match by BM25 and returning the top 20 (no facets, no
 * text): the cost a plain FTS5 search would have.
 *
 *   node_modules/.bin/tsx bench/search/scale.ts            # 10k and 100k
 *   node_modules/.bin/tsx bench/search/scale.ts 10000      # one size
 *
 * The synthetic documents are NOT content: every one has a source
 * `synthetic-<n>`, an id `synthetic:<n>`, a title starting 【合成数据】 and a
 * URL under /synthetic/. Each is a variant of a real document picked at
 * random (so kinds, lengths and how many documents hold a word such as 污水
 * follow the real content): its sentences shuffled, about a third of them
 * swapped for sentences of other documents, numbers and place names changed,
 * facets redrawn (300 plans, 60 inspections, every region and unit); one in
 * ten becomes a complaint. Both scripts occur, as in the real content.
 * Target: p95 ≤ 20 ms at 100k documents.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { getPortal } from '../../src/content/portal.ts';
import { POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { STATUS_IDS } from '../../src/domain/status.ts';
import { contentDocuments, regionKeys } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments, search, type SearchDocument, type SearchFilters, type SearchKind } from '../../src/search/index-store.ts';
import { parseQuery } from '../../src/search/tokenize.ts';

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const sizes = SIZES.length ? SIZES : [10_000, 100_000];
const RUNS = 30;

// A small seeded generator: the same documents on every run.
let seed = 20240601;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const some = <T>(xs: readonly T[], n: number): T[] => [...new Set(Array.from({ length: n }, () => pick(xs)))];

const portal = getPortal();
const real = contentDocuments(portal);
const sentences = [
  ...new Set(
    real.flatMap((d) => d.fields.flatMap((f) => f.text.split(/(?<=[。；;！？])/u))).map((s) => s.trim()).filter((s) => [...s].length >= 8),
  ),
];
const placeNames = portal.content.regions.flatMap((r) => [r.name, r.shortName ?? r.name, ...r.aliases]).filter((n) => n.length >= 2);
const placePattern = new RegExp(placeNames.sort((a, b) => b.length - a.length).join('|'), 'gu');
const regions = portal.content.regions.map((r) => r.id);
const units = portal.content.units.map((u) => u.id);
const topics = portal.content.topics.map((t) => t.id);
const statuses = [...STATUS_IDS, 'undisclosed'];
const plans = Array.from({ length: 300 }, (_, i) => `synthetic-plan-${i + 1}`);
const inspections = Array.from({ length: 60 }, (_, i) => `synthetic-inspection-${i + 1}`);

/** A real sentence with its numbers and place names changed. */
function mutate(text: string): string {
  return text.replace(/\d+/g, (d) => String(Math.floor(rnd() * 10 ** Math.min(d.length, 4)))).replace(placePattern, () => pick(placeNames));
}

const splitSentences = (text: string) => text.split(/(?<=[。；;！？])/u).filter((x) => x.trim());

/** A variant of one field: its sentences shuffled, a third swapped for others, numbers and places changed. */
function variant(text: string): string {
  const parts = splitSentences(text).map((x) => (rnd() < 0.33 ? pick(sentences) : x));
  for (let i = parts.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return mutate(parts.join(''));
}

function syntheticDoc(n: number): SearchDocument {
  const template = pick(real);
  const kind: SearchKind = rnd() < 0.1 ? 'complaint' : template.kind;
  const year = 2016 + Math.floor(rnd() * 10);
  return {
    id: `synthetic:${n}`,
    source: 'synthetic',
    kind,
    title: `【合成数据】${mutate(template.title)}`,
    url: `/synthetic/${n}/`,
    date: `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`,
    fields: template.fields.map((f) => ({ ...f, text: variant(f.text) })),
    facets: {
      inspection: [pick(inspections)],
      plan: [pick(plans)],
      region: regionKeys(portal, [pick(regions)]),
      unit: some(units, 1 + Math.floor(rnd() * 2)),
      status: kind === 'item' || kind === 'part' ? [pick(statuses)] : [],
      topic: some(topics, 1 + Math.floor(rnd() * 2)),
      pollution: kind === 'complaint' ? some(POLLUTION_TYPES, 1 + Math.floor(rnd() * 2)) : [],
    },
  };
}

interface Query {
  q: string;
  filters?: SearchFilters;
}
const CLASSES: Record<string, Query[]> = {
  '2-char': ['污水', '散煤', '锅炉', '台账', '约谈', '问责', '销号', '黄河'].map((q) => ({ q })),
  'longer Han': ['污水处理厂', '清洁能源改造', '祁连山自然保护区', '核查敷衍塞责', '蓝天保卫战', '城乡居民清洁能源改造', '汙水處理廠', '清洁取暖'].map((q) => ({ q })),
  'Latin/digit': ['PM2.5', 'PM10', '一级A', '10蒸吨', 'GDP', 'PM', '2020年年底前', 'ＰＭ２．５'].map((q) => ({ q })),
  // The most frequent words of the corpus: the worst case, reported apart.
  'very common': ['整改', '督察', '问题', '生态环境'].map((q) => ({ q })),
  filtered: [
    { q: '污水', filters: { region: ['gansu-wuwei'] } },
    { q: '整改', filters: { kind: ['item'], from: 2019, to: 2021 } },
    { q: '锅炉', filters: { status: ['completed', 'signed-off'] } },
    { q: '问责', filters: { kind: ['case'], region: ['gansu'] } },
    { q: '清洁取暖', filters: { topic: ['clean-heating', 'air'] } },
    { q: 'PM2.5', filters: { from: 2020, to: 2020 } },
    { q: '大气污染', filters: { pollution: ['大气'] } },
    { q: '污水处理厂', filters: { unit: ['wuwei-housing'], region: ['gansu'] } },
  ],
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

console.log(`SYNTHETIC documents: variants of the ${real.length} real documents (sentences swapped from a pool of ${sentences.length}); ${RUNS} runs per query after a warm-up.\n`);

for (const size of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'search-scale-'));
  const file = join(dir, 'synthetic.db');
  const client = createClient({ url: `file:${file}` });
  await ensureSearchSchema(client);

  let t = performance.now();
  const docs = Array.from({ length: size }, (_, n) => syntheticDoc(n + 1));
  const genMs = performance.now() - t;
  t = performance.now();
  // One transaction per 10,000 documents (each under its own source), to bound memory.
  for (let i = 0; i < docs.length; i += 10_000) await replaceDocuments(client, `synthetic-${i / 10_000}`, docs.slice(i, i + 10_000).map((d) => ({ ...d, source: `synthetic-${i / 10_000}` })));
  const indexMs = performance.now() - t;
  const chars = docs.reduce((n, d) => n + d.title.length + d.fields.reduce((m, f) => m + f.text.length, 0), 0);

  const { rows: pages } = await client.execute('PRAGMA page_count');
  const { rows: pageSize } = await client.execute('PRAGMA page_size');
  const { rows: ftsPages } = await client.execute("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'search_fts%'").catch(() => ({ rows: [{ bytes: null }] }));
  const onDisk = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  console.log(`== ${size.toLocaleString('en')} synthetic documents (${(chars / 1e6).toFixed(1)} M characters)`);
  console.log(`   generated in ${(genMs / 1000).toFixed(1)} s, indexed in ${(indexMs / 1000).toFixed(1)} s (${Math.round(size / (indexMs / 1000))} docs/s)`);
  console.log(`   on disk: ${mb(onDisk)} (database ${mb(Number(pages[0]!.page_count) * Number(pageSize[0]!.page_size))}${ftsPages[0]!.bytes ? `, of which FTS5 index ${mb(Number(ftsPages[0]!.bytes))}` : ''})`);
  console.log('   class         matches (median)   full answer p50 / p95 ms   FTS5 alone, top 20 by BM25 p50 / p95 ms   slowest query (its p95)');

  for (const [name, queries] of Object.entries(CLASSES)) {
    const full: number[] = [];
    const bare: number[] = [];
    const totals: number[] = [];
    let slowest = { label: '', p95: 0 };
    for (const { q, filters } of queries) {
      const own: number[] = [];
      const warm = await search(client, { q, filters: filters ?? {}, pageSize: 20 });
      totals.push(warm.total);
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await search(client, { q, filters: filters ?? {}, pageSize: 20 });
        own.push(performance.now() - t0);
      }
      full.push(...own);
      if (pct(own, 95) > slowest.p95) slowest = { label: `${q}${filters ? ` ${JSON.stringify(filters)}` : ''}, ${warm.total} matches`, p95: pct(own, 95) };
      // Reference: FTS5 alone ranks every match by BM25 (no tiers, facets or snippets).
      const parsed = parseQuery(q);
      if (!parsed.ok) throw new Error(q);
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await client.execute({
          sql: 'SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(search_fts, 8, 4, 1, 1) LIMIT 20',
          args: [parsed.query.match],
        });
        bare.push(performance.now() - t0);
      }
    }
    const median = [...totals].sort((a, b) => a - b)[Math.floor(totals.length / 2)]!;
    console.log(
      `   ${name.padEnd(13)} ${String(median).padStart(16)}   ${pct(full, 50).toFixed(1).padStart(10)} / ${pct(full, 95).toFixed(1).padEnd(12)} ${pct(bare, 50).toFixed(1).padStart(18)} / ${pct(bare, 95).toFixed(1).padEnd(20)} ${slowest.label} (${slowest.p95.toFixed(1)})`,
    );
  }
  console.log();
  client.close();
  rmSync(dir, { recursive: true, force: true });
}
