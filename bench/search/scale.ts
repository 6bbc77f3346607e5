/**
 * Latency at scale: SYNTHETIC documents (see `synthetic.ts`: labelled 合成数据, never content),
 * indexed into a libSQL file under `.scratch/search-scale/<size>/` (kept: `--reuse` times the
 * queries again on it without building it), at 10,000 and
 * 100,000 documents by default, or the sizes given. Prints build time and peak memory, index size
 * on disk and p50/p95 latency per query class of a full API answer (`search()`: ranked page of 20,
 * total and facet counts, highlighted snippets). For reference it also times FTS5 alone ranking
 * every match by BM25 and returning the top 20 (no facets, no text): the cost a plain FTS5 search
 * would have. Writes `.scratch/bench/search-scale.json` (`bench/report.ts`).
 *
 *   npm run bench:search-scale                       # 10k and 100k
 *   npm run bench:search-scale -- 100000 1000000     # the national scale (about 15 minutes)
 *
 * The index is built as `npm run search:index` builds it (`replaceDocuments`, one transaction per
 * 10,000 documents under its own source), streamed: a worker thread draws and tokenizes one chunk
 * while the database writes the previous one, and no more than two chunks are held at a time.
 * Then the FTS5 index is merged (`optimizeIndex`); the build time includes it.
 * Targets (issue 13): p95 ≤ 20 ms at 100k documents and ≤ 50 ms at 1M for every class; the 1M
 * index built in ≤ 15 min with ≤ 1.5 GB peak memory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createClient } from '@libsql/client';
import { figure, writeReport, type Figure } from '../report.ts';
import { CHUNK, ensureSearchSchema, optimizeIndex, replaceDocuments, search, type SearchFilters } from '../../src/search/index-store.ts';
import { parseQuery } from '../../src/search/tokenize.ts';
import { real, sentences } from './synthetic.ts';

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
/** `--reuse`: time the queries on the index an earlier run left (it is kept under .scratch/), without building it again. */
const REUSE = process.argv.includes('--reuse');
const sizes = SIZES.length ? SIZES : [10_000, 100_000];
const RUNS = 30;
/** Documents per transaction (and per source). */
const BATCH = 10_000;

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

const figures: Figure[] = [];
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const target = (size: number) => (size === 100_000 ? 20 : size === 1_000_000 ? 50 : undefined);

/** Asks the worker for chunks of one source, keeping one chunk in flight while the previous is written. */
async function* chunksOf(worker: Worker, source: string, count: number, onChars: (n: number) => void) {
  const waiting: ((m: { json: string; count: number; chars: number }) => void)[] = [];
  const listener = (m: { json: string; count: number; chars: number }) => waiting.shift()!(m);
  worker.on('message', listener);
  const ask = (n: number) => {
    const answer = new Promise<{ json: string; count: number; chars: number }>((resolve) => waiting.push(resolve));
    worker.postMessage({ count: n, source });
    return answer;
  };
  let asked = Math.min(CHUNK, count);
  let next = ask(asked);
  try {
    while (true) {
      const chunk = await next;
      if (asked < count) {
        const n = Math.min(CHUNK, count - asked);
        asked += n;
        next = ask(n);
      } else next = undefined as never;
      onChars(chunk.chars);
      yield { json: chunk.json, count: chunk.count };
      if (!next) break;
    }
  } finally {
    worker.off('message', listener);
  }
}

for (const size of sizes) {
  const dir = join('.scratch', 'search-scale', String(size));
  const file = join(dir, 'synthetic.db');
  const done = join(dir, 'complete');
  const reused = REUSE && existsSync(done);
  if (!reused) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const client = createClient({ url: `file:${file}` });
  let chars = 0;
  let indexMs = 0;
  let loadMs = 0;
  let peakMb = 0;
  // CPU time of every thread: on a machine shared with other jobs, steadier than the wall time.
  let cpuS = 0;
  if (!reused) {
    await client.execute('PRAGMA journal_mode = WAL');
    await ensureSearchSchema(client);
    // A fresh worker per size: document n is the same at every size.
    const worker = new Worker(new URL('./encode-worker.mjs', import.meta.url));
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
    for (let i = 0; i < size; i += BATCH) {
      const source = `synthetic-${i / BATCH}`;
      await replaceDocuments(client, source, chunksOf(worker, source, Math.min(BATCH, size - i), (n) => (chars += n)));
      if ((i / BATCH) % 10 === 9) process.stdout.write(`   … ${(i + BATCH).toLocaleString('en')} documents, ${((performance.now() - t) / 1000).toFixed(0)} s, ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, load ${loadavg()[0]!.toFixed(1)}\n`);
    }
    await worker.terminate();
    loadMs = performance.now() - t;
    await optimizeIndex(client);
    indexMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    cpuS = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    // The whole process (main thread, worker and SQLite's memory), at its highest so far.
    peakMb = Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
    writeFileSync(done, `${JSON.stringify({ chars, indexMs, loadMs, peakMb, cpuS })}\n`);
  } else {
    ({ chars, indexMs, loadMs, peakMb, cpuS = NaN } = JSON.parse(readFileSync(done, 'utf8')) as { chars: number; indexMs: number; loadMs: number; peakMb: number; cpuS?: number });
    console.log('   (index of an earlier run, --reuse: build figures are that run\'s)');
  }

  const { rows: pages } = await client.execute('PRAGMA page_count');
  const { rows: pageSize } = await client.execute('PRAGMA page_size');
  const { rows: ftsPages } = await client.execute("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'search_fts%'").catch(() => ({ rows: [{ bytes: null }] }));
  const onDisk = readdirSync(dir).filter((f) => f !== 'complete').reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  figures.push(
    figure(`${size}.build.seconds`, Math.round(indexMs / 100) / 10, 's', size === 1_000_000 ? { value: 900, comparison: '<=' } : undefined),
    figure(`${size}.build.peak_mb`, Math.round(peakMb), 'MB', size === 1_000_000 ? { value: 1536, comparison: '<=' } : undefined),
    figure(`${size}.build.docs_per_s`, Math.round(size / (indexMs / 1000)), 'documents/s'),
    figure(`${size}.build.cpu_seconds`, Math.round(cpuS), 's'),
    figure(`${size}.index.mb`, Math.round(onDisk / 2 ** 20), 'MB'),
  );
  console.log(`== ${size.toLocaleString('en')} synthetic documents (${(chars / 1e6).toFixed(1)} M characters)`);
  console.log(`   indexed in ${(indexMs / 1000).toFixed(1)} s (${Math.round(size / (indexMs / 1000))} docs/s; of which FTS5 optimize ${((indexMs - loadMs) / 1000).toFixed(1)} s; CPU time of all threads ${cpuS.toFixed(0)} s), peak memory ${Math.round(peakMb)} MB`);
  console.log(`   on disk: ${mb(onDisk)} (database ${mb(Number(pages[0]!.page_count) * Number(pageSize[0]!.page_size))}${ftsPages[0]!.bytes ? `, of which FTS5 index ${mb(Number(ftsPages[0]!.bytes))}` : ''})`);
  console.log('   class         matches (median)   full answer p50 / p95 ms   FTS5 alone, top 20 by BM25 p50 / p95 ms   slowest query (its p95)');

  for (const [name, queries] of Object.entries(CLASSES)) {
    const full: number[] = [];
    const bare: number[] = [];
    const totals: number[] = [];
    const cpuMs: number[] = [];
    let slowest = { label: '', p95: 0 };
    for (const { q, filters } of queries) {
      const own: number[] = [];
      const warm = await search(client, { q, filters: filters ?? {}, pageSize: 20 });
      totals.push(warm.totalExact ? warm.total : warm.total + 0.5);
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await search(client, { q, filters: filters ?? {}, pageSize: 20 });
        own.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpuMs.push((c.user + c.system) / 1000);
      }
      full.push(...own);
      if (pct(own, 95) > slowest.p95) slowest = { label: `${q}${filters ? ` ${JSON.stringify(filters)}` : ''}, ${warm.totalExact ? '' : '≥ '}${warm.total} matches`, p95: pct(own, 95) };
      // Reference: FTS5 alone ranks every match by BM25 (no tiers, facets or snippets).
      const parsed = parseQuery(q);
      if (!parsed.ok) throw new Error(q);
      // Fewer runs at a million: a common word then takes most of a second each.
      for (let i = 0; i < (size >= 1_000_000 ? 3 : RUNS); i++) {
        const t0 = performance.now();
        await client.execute({
          sql: 'SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(search_fts, 8, 4, 1, 1, 0) LIMIT 20',
          args: [parsed.query.match],
        });
        bare.push(performance.now() - t0);
      }
    }
    const median = [...totals].sort((a, b) => a - b)[Math.floor(totals.length / 2)]!;
    const cap = target(size);
    figures.push(
      figure(`${size}.${slug(name)}.p95_ms`, Math.round(pct(full, 95) * 10) / 10, 'ms', cap === undefined ? undefined : { value: cap, comparison: '<=' }),
      figure(`${size}.${slug(name)}.p50_ms`, Math.round(pct(full, 50) * 10) / 10, 'ms'),
      figure(`${size}.${slug(name)}.cpu_p95_ms`, Math.round(pct(cpuMs, 95) * 10) / 10, 'ms'),
      figure(`${size}.${slug(name)}.fts5_alone_p95_ms`, Math.round(pct(bare, 95) * 10) / 10, 'ms'),
    );
    console.log(
      `   ${name.padEnd(13)} ${(Number.isInteger(median) ? String(median) : `≥ ${Math.floor(median)}`).padStart(16)}   ${pct(full, 50).toFixed(1).padStart(10)} / ${pct(full, 95).toFixed(1).padEnd(12)} ${pct(bare, 50).toFixed(1).padStart(18)} / ${pct(bare, 95).toFixed(1).padEnd(20)} ${slowest.label} (${slowest.p95.toFixed(1)}); CPU p95 ${pct(cpuMs, 95).toFixed(1)}`,
    );
  }
  console.log();
  client.close();
}
console.log(`Figures written to ${writeReport('search-scale', figures)} (load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}).`);
