/**
 * Relevance benchmark: the same queries over the same real content with this
 * project's search, a naive `LIKE '%q%'` scan over the same documents, and
 * MiniSearch (the client-side library a user might pick) with a bigram CJK
 * tokenizer. Prints recall@10, MRR, precision of the returned top 10, empty
 * answers and latency, side by side.
 *
 *   node_modules/.bin/tsx bench/search/relevance.ts
 *
 * The expected records were written by reading the documents in `content/`:
 * a record is relevant when it states the thing asked for, in either script.
 * Each query lists the records that are *about* it (the term is the subject:
 * in the title, problem or summary) and those that only *mention* it.
 * "MRR" ranks the first relevant record; "MRR(about)" the first record about
 * the query, over the queries that have one. recall@10 divides by
 * min(|relevant|, 10).
 *
 * Runs on a temporary libSQL file; writes nothing in the repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import MiniSearch from 'minisearch';
import { figure, writeReport, type Figure } from '../report.ts';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments, search } from '../../src/search/index-store.ts';

type Category = '2-char' | 'longer Han' | 'Latin/digit' | 'Trad→Simp' | 'Simp→Trad' | 'artefact' | 'line break';

interface Case {
  q: string;
  category: Category;
  /** Records whose subject the query is (it is in their title, problem or summary). */
  about: string[];
  /** Other records that state it (in measures, notes, before/after text …). */
  mentions: string[];
}
const relevantOf = (c: Case) => [...c.about, ...c.mentions];

const AM = 'amendment:wuwei-2020-supplement-2020-11-25';
const RR = 'reporting-round:gansu-2020-clean-heating-verification';
const RO = 'reporting-outcome:gansu-2020-clean-heating-verification';
const CASE_PERF = 'case:gansu-clean-heating-verification-perfunctory';
const CASE_UNREP = 'case:gansu-clean-heating-verification-unreported';

/** Written from the documents; see the module comment. */
const CASES: Case[] = [
  // Two-character words.
  { q: '污水', category: '2-char', about: ['item:wuwei-2020-07', 'item:wuwei-2020-09', 'item:wuwei-2017-24'], mentions: ['item:wuwei-2020-06'] },
  { q: '散煤', category: '2-char', about: ['item:wuwei-2020-13'], mentions: ['item:wuwei-2020-12', `${AM}:wuwei-2020-12:measures`] },
  { q: '锅炉', category: '2-char', about: ['item:wuwei-2020-15', 'item:wuwei-2020-16'], mentions: ['item:wuwei-2020-12', `${AM}:wuwei-2020-12:measures`, 'progress-summary:mee-2019-strengthened-supervision'] },
  { q: '约谈', category: '2-char', about: [], mentions: ['progress-summary:ankang-2018', 'item:wuwei-2020-10'] },
  { q: '销号', category: '2-char', about: [], mentions: ['item:wuwei-2017-06', 'item:wuwei-2017-18', 'item:wuwei-2020-06'] },
  { q: '台账', category: '2-char', about: [], mentions: ['item:wuwei-2020-08', 'item:wuwei-2020-13', 'item:wuwei-2020-14', 'item:wuwei-2020-16', `${AM}:wuwei-2020-14:measures`] },
  { q: '黄河', category: '2-char', about: ['item:wuwei-2020-03'], mentions: [] },
  { q: '渣场', category: '2-char', about: ['item:wuwei-2020-08'], mentions: [] },
  { q: '问责', category: '2-char', about: [], mentions: ['case:zunyi-bozhou-fabricated-minutes', 'case:suizhong-duplicate-doc-number', 'case:yuanjiang-scanned-fake-seal', 'case:jilin-backdated-deadline', CASE_PERF, CASE_UNREP, 'item:wuwei-2020-02'] },
  { q: '脱硝', category: '2-char', about: ['item:wuwei-2020-16'], mentions: [] },
  { q: '天祝', category: '2-char', about: [], mentions: ['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1', 'item:wuwei-2020-04'] },

  // Longer Han terms.
  { q: '污水处理厂', category: 'longer Han', about: ['item:wuwei-2020-09', 'item:wuwei-2020-07'], mentions: [] },
  { q: '煤改气', category: 'longer Han', about: [], mentions: ['item:wuwei-2020-14', `${AM}:wuwei-2020-14:measures`, 'progress-summary:mee-2019-strengthened-supervision'] },
  { q: '清洁能源改造', category: 'longer Han', about: ['item:wuwei-2020-14'], mentions: [`${AM}:wuwei-2020-14:measures`, 'item:wuwei-2020-15', 'item:wuwei-2020-16', `${AM}:wuwei-2020-12:measures`] },
  { q: '祁连山自然保护区', category: 'longer Han', about: ['item:wuwei-2017-22'], mentions: ['item:wuwei-2017-32', 'item:wuwei-2020-06'] },
  { q: '国家级自然保护区', category: 'longer Han', about: ['item:wuwei-2017-23'], mentions: ['item:wuwei-2020-06', `${AM}:wuwei-2020-06:deadline`] },
  { q: '表面整改', category: 'longer Han', about: ['item:wuwei-2020-06'], mentions: [CASE_PERF, CASE_UNREP] },
  { q: '会议纪要', category: 'longer Han', about: ['case:zunyi-bozhou-fabricated-minutes'], mentions: [] },
  { q: '扫描的假章', category: 'longer Han', about: ['case:yuanjiang-scanned-fake-seal'], mentions: [] },
  { q: '同一个文号', category: 'longer Han', about: ['case:suizhong-duplicate-doc-number'], mentions: [] },
  { q: '农村生活垃圾', category: 'longer Han', about: ['case:jilin-backdated-deadline'], mentions: [] },
  { q: '蓝天保卫战', category: 'longer Han', about: ['progress-summary:mee-2019-strengthened-supervision', 'item:wuwei-2020-10'], mentions: ['item:wuwei-2020-16'] },
  { q: '可吸入颗粒物', category: 'longer Han', about: ['item:wuwei-2020-10', `${AM}:wuwei-2020-10:target`], mentions: ['item:wuwei-2020-05'] },
  { q: '违规注册燃煤小锅炉', category: 'longer Han', about: ['item:wuwei-2020-15'], mentions: [] },
  { q: '连古城', category: 'longer Han', about: [`${AM}:wuwei-2020-06:deadline`], mentions: ['item:wuwei-2020-06', 'item:wuwei-2017-23', 'item:wuwei-2017-32', 'item:wuwei-2020-04'] },
  { q: '石羊河', category: 'longer Han', about: [], mentions: ['item:wuwei-2020-03'] },

  // Latin letters and digits.
  { q: 'PM2.5', category: 'Latin/digit', about: ['item:wuwei-2020-10'], mentions: ['item:wuwei-2020-05'] },
  { q: 'PM10', category: 'Latin/digit', about: ['item:wuwei-2020-10'], mentions: ['item:wuwei-2020-05'] },
  { q: '一级A', category: 'Latin/digit', about: ['item:wuwei-2020-07'], mentions: ['item:wuwei-2020-09'] },
  { q: '10蒸吨', category: 'Latin/digit', about: ['item:wuwei-2020-16'], mentions: [] },
  { q: 'GDP', category: 'Latin/digit', about: ['item:wuwei-2020-04', 'item:wuwei-2020-01'], mentions: [] },
  { q: 'gdp', category: 'Latin/digit', about: ['item:wuwei-2020-04', 'item:wuwei-2020-01'], mentions: [] },
  { q: '107.28公里', category: 'Latin/digit', about: [], mentions: ['item:wuwei-2017-24', 'item:wuwei-2020-06'] },
  { q: '2.5万户', category: 'Latin/digit', about: [], mentions: [`${AM}:wuwei-2020-14:measures`, 'item:wuwei-2020-14'] },
  { q: '950万吨', category: 'Latin/digit', about: ['item:wuwei-2020-13'], mentions: [] },
  { q: '84.7%', category: 'Latin/digit', about: [], mentions: [`${AM}:wuwei-2020-10:target`, 'item:wuwei-2020-10'] },
  { q: 'ＰＭ２．５', category: 'Latin/digit', about: ['item:wuwei-2020-10'], mentions: ['item:wuwei-2020-05'] },

  // Traditional queries, Simplified text.
  { q: '汙水處理廠', category: 'Trad→Simp', about: ['item:wuwei-2020-09', 'item:wuwei-2020-07'], mentions: [] },
  { q: '碳化矽', category: 'Trad→Simp', about: ['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1'], mentions: [] },
  { q: '燃煤鍋爐', category: 'Trad→Simp', about: ['item:wuwei-2020-16', 'item:wuwei-2020-15'], mentions: ['item:wuwei-2020-12', `${AM}:wuwei-2020-12:measures`, 'progress-summary:mee-2019-strengthened-supervision'] },
  { q: '煤炭消費總量', category: 'Trad→Simp', about: ['item:wuwei-2020-12', `${AM}:wuwei-2020-12:measures`], mentions: [] },
  { q: '飲用水水源', category: 'Trad→Simp', about: ['item:wuwei-2017-58', 'item:wuwei-2017-32'], mentions: ['item:wuwei-2020-06', `${AM}:wuwei-2020-06:deadline`] },
  { q: '黨政同責', category: 'Trad→Simp', about: [], mentions: ['item:wuwei-2020-02', 'item:wuwei-2020-01', CASE_PERF, CASE_UNREP] },

  // Simplified queries, Traditional text.
  { q: '清洁取暖', category: 'Simp→Trad', about: [RR, CASE_PERF, CASE_UNREP], mentions: ['item:wuwei-2020-14', `${AM}:wuwei-2020-14:measures`] },
  { q: '核查敷衍塞责', category: 'Simp→Trad', about: [CASE_PERF, `${RO}:gansu-jiayuguan`, `${RO}:gansu-gannan`, `${RO}:gansu-lanzhou-xinqu`, `${RO}:gansu-linxia`], mentions: [RR] },
  { q: '两市未上报', category: 'Simp→Trad', about: [CASE_UNREP, `${RO}:gansu-tianshui`, `${RO}:gansu-baiyin`], mentions: [RR] },
  { q: '统计口径', category: 'Simp→Trad', about: [RR], mentions: [] },
  { q: '农村土炕改造', category: 'Simp→Trad', about: [`${RO}:gansu-jinchang`], mentions: [RR] },
  { q: '问责条例', category: 'Simp→Trad', about: [], mentions: [CASE_PERF, CASE_UNREP] },
  { q: '一岗双责', category: 'Simp→Trad', about: [], mentions: [CASE_PERF, CASE_UNREP, 'item:wuwei-2020-02', 'item:wuwei-2020-01'] },

  // Text behind pinyin conversion artefacts (安康 report: 環(huán)保督察, 預(yù)警督辦, 督導(dǎo)整改).
  { q: '环保督察', category: 'artefact', about: [], mentions: ['progress-summary:ankang-2018', CASE_UNREP, RR] },
  { q: '預警督辦', category: 'artefact', about: ['progress-summary:ankang-2018'], mentions: [] },
  { q: '督導整改', category: 'artefact', about: ['progress-summary:ankang-2018'], mentions: [] },

  // Queries pasted from a wrapped text: a line break inside the word.
  { q: '污水处\n理厂', category: 'line break', about: ['item:wuwei-2020-09', 'item:wuwei-2020-07'], mentions: [] },
  { q: '碳化\n硅', category: 'line break', about: ['item:wuwei-2020-17', 'part:wuwei-2020-17:0', 'part:wuwei-2020-17:1'], mentions: [] },
  { q: '清潔\n取暖', category: 'line break', about: [RR, CASE_PERF, CASE_UNREP], mentions: ['item:wuwei-2020-14', `${AM}:wuwei-2020-14:measures`] },
];

const K = 10;
/** This project's precision of the top 10 over all queries before the national-scale changes (commit 62ac613): the target. */
const PRECISION_BEFORE = 1;
const REPEAT = 20;

interface Engine {
  name: string;
  run: (q: string) => Promise<string[]> | string[];
}

// ---------------------------------------------------------------------------
// The corpus, indexed once for every engine.

const docs = contentDocuments(getPortal());
const dir = mkdtempSync(join(tmpdir(), 'search-relevance-'));
const client: Client = createClient({ url: `file:${join(dir, 'bench.db')}` });
await ensureSearchSchema(client);
await replaceDocuments(client, CONTENT_SOURCE, docs);

const known = new Set(docs.map((d) => d.id));
for (const c of CASES) for (const id of relevantOf(c)) if (!known.has(id)) throw new Error(`基准集引用了不存在的记录：${id}（${c.q}）`);

// The naive scan reads the same documents' display text, as stored.
await client.execute(`CREATE TEMP TABLE like_docs AS
SELECT d.id, d.kind_order, d.title || char(10) || (SELECT group_concat(j.value ->> 'text', char(10)) FROM json_each(d.fields) j) AS text
FROM search_documents d`);

const thisEngine: Engine = {
  name: 'this project (FTS5 bigrams + folding)',
  run: async (q) => (await search(client, { q, pageSize: K })).results.map((h) => h.id),
};

const likeEngine: Engine = {
  name: "naive LIKE '%q%'",
  run: async (q) => {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await client.execute({
      sql: "SELECT id FROM like_docs WHERE text LIKE ? ESCAPE '\\' ORDER BY kind_order, id LIMIT ?",
      args: [pattern, K],
    });
    return rows.map((r) => String(r.id));
  },
};

/** Bigrams of Han runs, Latin/digit words whole: the usual CJK set-up from MiniSearch's docs and issues. */
function cjkBigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/\p{Script=Han}+|[\p{L}\p{N}.]+/gu) ?? []) {
    const chars = [...run];
    if (!/\p{Script=Han}/u.test(chars[0]!) || chars.length === 1) out.push(run);
    else for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

const mini = new MiniSearch<{ id: string; title: string; text: string }>({
  fields: ['title', 'text'],
  storeFields: [],
  tokenize: cjkBigrams,
  processTerm: (t) => t.toLowerCase(),
  searchOptions: { combineWith: 'AND', boost: { title: 3 }, prefix: false, fuzzy: false },
});
mini.addAll(docs.map((d) => ({ id: d.id, title: d.title, text: d.fields.map((f) => f.text).join('\n') })));

const miniEngine: Engine = {
  name: 'MiniSearch 7 (bigram tokenizer, AND)',
  run: (q) => mini.search(q).slice(0, K).map((r) => String(r.id)),
};

// ---------------------------------------------------------------------------
// Measuring.

interface Scores {
  recall: number;
  rr: number;
  /** Undefined for a query no record is about. */
  rrAbout: number | undefined;
  precision: number | undefined;
  empty: boolean;
  ms: number[];
}

async function score(engine: Engine, c: Case): Promise<Scores> {
  await engine.run(c.q); // warm-up
  const ms: number[] = [];
  let got: string[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    got = await engine.run(c.q);
    ms.push(performance.now() - t);
  }
  const top = got.slice(0, K);
  const rel = new Set(relevantOf(c));
  const hits = top.filter((id) => rel.has(id)).length;
  const first = top.findIndex((id) => rel.has(id));
  const about = top.findIndex((id) => c.about.includes(id));
  return {
    recall: hits / Math.min(rel.size, K),
    rr: first < 0 ? 0 : 1 / (first + 1),
    rrAbout: c.about.length ? (about < 0 ? 0 : 1 / (about + 1)) : undefined,
    precision: top.length ? hits / top.length : undefined,
    empty: top.length === 0,
    ms,
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f2 = (x: number) => (Number.isNaN(x) ? '  –  ' : x.toFixed(2));

const engines = [thisEngine, likeEngine, miniEngine];
const results = new Map<Engine, Scores[]>();
for (const e of engines) {
  const list: Scores[] = [];
  for (const c of CASES) list.push(await score(e, c));
  results.set(e, list);
}

console.log(`Relevance over the real content: ${docs.length} documents, ${CASES.length} queries, top ${K}, latency over ${REPEAT} runs per query.\n`);

function summary(title: string, pick: (c: Case) => boolean) {
  const idx = CASES.map((c, i) => (pick(c) ? i : -1)).filter((i) => i >= 0);
  console.log(`${title} (${idx.length} queries)`);
  console.log('  engine                                   recall@10   MRR   MRR(about)  precision  empty  p50 ms  p95 ms');
  for (const e of engines) {
    const s = idx.map((i) => results.get(e)![i]!);
    const ms = s.flatMap((x) => x.ms);
    const precisions = s.map((x) => x.precision).filter((x): x is number => x !== undefined);
    const abouts = s.map((x) => x.rrAbout).filter((x): x is number => x !== undefined);
    console.log(
      `  ${e.name.padEnd(40)} ${f2(mean(s.map((x) => x.recall))).padStart(9)} ${f2(mean(s.map((x) => x.rr))).padStart(5)} ${f2(mean(abouts)).padStart(11)} ${f2(mean(precisions)).padStart(10)} ${String(s.filter((x) => x.empty).length).padStart(6)} ${pct(ms, 50).toFixed(3).padStart(7)} ${pct(ms, 95).toFixed(3).padStart(7)}`,
    );
  }
  console.log();
}

summary('All queries', () => true);
for (const cat of [...new Set(CASES.map((c) => c.category))]) summary(`  ${cat}`, (c) => c.category === cat);

console.log('Per query: recall@10, and rank of the first record about the query (this / LIKE / MiniSearch; – not in top 10)');
CASES.forEach((c, i) => {
  const r = engines.map((e) => f2(results.get(e)![i]!.recall)).join(' / ');
  const rank = engines
    .map((e) => {
      const rr = results.get(e)![i]!.rrAbout;
      return rr === undefined ? 'n/a' : rr ? String(Math.round(1 / rr)) : '–';
    })
    .join(' / ');
  console.log(`  ${JSON.stringify(c.q).padEnd(14)} ${c.category.padEnd(12)} |rel|=${String(relevantOf(c).length).padEnd(2)} ${r}   about: ${rank}`);
});

console.log('\nNotes: this project\'s latency is a full API answer (ranked page, facet counts over the whole match set,');
console.log('highlighted snippets); LIKE returns ids only, unranked; MiniSearch runs in memory, no folding, no phrases.');
console.log('This project ranks records with the query in the title or problem first, so its MRR(about) follows largely');
console.log('from that rule; "about" lists were written from the documents, and include summaries and review opinions.');

// The figures of every engine over all queries, in the one format of bench/report.ts; this project's
// may not fall below what it had before the national-scale changes (1.00 / 1.00, precision 1.00).
const figures: Figure[] = [];
for (const e of engines) {
  const s = results.get(e)!;
  const name = e === thisEngine ? 'portal' : e === likeEngine ? 'like' : 'minisearch';
  const own = e === thisEngine;
  const precisions = s.map((x) => x.precision).filter((x): x is number => x !== undefined);
  const ms = s.flatMap((x) => x.ms);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  figures.push(
    figure(`${name}.recall_at_10`, round(mean(s.map((x) => x.recall))), 'ratio', own ? { value: 1, comparison: '>=' } : undefined),
    figure(`${name}.mrr`, round(mean(s.map((x) => x.rr))), 'ratio', own ? { value: 1, comparison: '>=' } : undefined),
    figure(`${name}.precision`, round(mean(precisions)), 'ratio', own ? { value: PRECISION_BEFORE, comparison: '>=' } : undefined),
    figure(`${name}.p95_ms`, round(pct(ms, 95)), 'ms'),
  );
}
console.log(`\nFigures written to ${writeReport('search', figures)}.`);

client.close();
rmSync(dir, { recursive: true, force: true });
