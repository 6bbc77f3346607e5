/**
 * Scale benchmark of the build: how long each build step takes, how much
 * memory it needs and how much it writes, at growing numbers of items, so we
 * know the static build still works when the portal holds every plan of a
 * country (target from the production-readiness issue: 50,000 items built in
 * ≤ 5 minutes with ≤ 2 GB peak memory on 2 cores, growing no worse than
 * linearly).
 *
 *   npm run bench:scale                      # 1000 10000 50000
 *   npm run bench:scale -- 1000 10000        # chosen sizes
 *
 * For each size N: SYNTHETIC content is generated (`generate.ts`) into
 * .scratch/scale/N/content, then the build runs on it exactly as
 * `npm run build` and `npm run search:index` do, pointed there by
 * CONTENT_DIR (read by the content loader): the content check, the open-data
 * step (scripts/open-data.ts, its cache in OPEN_DATA_CACHE_DIR), `astro build
 * --outDir .scratch/scale/N/dist`, the open data written into it, Pagefind on that folder, and the search
 * index into .scratch/scale/N/search.db (DATABASE_URL). Nothing is written to
 * content/, dist/ or .data/. Steps run one after another, each in its own
 * process under /usr/bin/time: wall and CPU time, and peak resident memory of
 * the step's process tree (sampled every 0.2 s). The machine is shared, so a
 * step is stopped past SCALE_MEM_LIMIT_MB (8192) or SCALE_STEP_TIMEOUT
 * seconds (1800) and reported as failed. astro build gets the heap cap of
 * `npm run build` (--max-old-space-size=1280) unless NODE_OPTIONS is set. Logs go to
 * .scratch/scale/N/logs/, figures to .scratch/scale/results.json.
 *
 * Publishing one changed item: after the full pipeline, one item's latest status is changed in the
 * generated content and the steps of `npm run publish:site` run again on top of it — the content check
 * and `astro build` reuse their caches (the full build starts with both empty: ASTRO_CACHE_DIR and
 * CONTENT_CACHE_DIR under .scratch/scale/N/), and the search index is updated by difference
 * (`--changed`). Reported per step with the pages Astro reused and rendered, as
 * `N.one_item_change.seconds` (target 60 s at 50,000 items).
 *
 * Growth: time per item at each size, and the exponent k in t ∝ N^k between
 * consecutive sizes (k ≤ 1: linear or better; fixed start-up costs make small
 * sizes look better than linear).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { SCALE_AS_OF } from './generate.ts';
import { writeFloorProject } from './floor.ts';
import { figure, writeReport, type Figure } from '../report.ts';
import { countHtml } from '../../scripts/count-files.ts';

const sizes = (() => {
  const given = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return given.length ? given : [1000, 10_000, 50_000];
})();
/** A step still running after this long, or using more memory than this, is stopped and reported as such. */
const STEP_TIMEOUT_S = Number(process.env.SCALE_STEP_TIMEOUT ?? 1800);
const MEM_LIMIT_MB = Number(process.env.SCALE_MEM_LIMIT_MB ?? 8192);
const TARGET = { items: 50_000, seconds: 300, mb: 2048, files: 100_000, freePlanFiles: 20_000, pageKb: 500 };
/** Pagefind bundles fragments into shared files above this many pages (as scripts/pagefind.ts does). */
const MAX_FRAGMENTS = 2000;
/** The heap cap `npm run build` gives astro build (package.json). */
const ASTRO_NODE_OPTIONS = '--max-old-space-size=1280';
const SEARCH_NODE_OPTIONS = '--max-old-space-size=1536';
const ROOT = resolve('.scratch/scale');
const BIN = resolve('node_modules/.bin');

interface StepResult {
  step: string;
  ok: boolean;
  seconds: number;
  /** User + system CPU time: less disturbed than wall time when others share the machine. */
  cpuSeconds: number;
  peakMb: number;
  /** 1-minute load average when the step ended (machine shared with other work). */
  load: number;
  output: string;
  note?: string;
}
interface SizeResult {
  n: number;
  generated: string;
  steps: StepResult[];
  /** Files in the deployable static output (dist/client): as built, within 100,000, within 20,000. */
  files?: { built: number; paid: number | null; free: number | null };
  largestPage?: { path: string; kb: number };
  /** The framework's floor: a minimal Astro project with N trivial pages, built and Pagefind-indexed. */
  floor?: StepResult[];
  /** Publishing one changed item after the full build (`npm run publish:site`): its steps, and what Astro reused. */
  publish?: { changed: string; steps: StepResult[]; pages?: { reused: number; rendered: number } };
}

// ---------------------------------------------------------------------------
// Measuring

/** Files and bytes under a folder (or one file). */
function du(path: string): { files: number; bytes: number } {
  if (!existsSync(path)) return { files: 0, bytes: 0 };
  const st = statSync(path);
  if (!st.isDirectory()) return { files: 1, bytes: st.size };
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(path)) {
    const sub = du(join(path, name));
    files += sub.files;
    bytes += sub.bytes;
  }
  return { files, bytes };
}
const mb = (bytes: number) => bytes / 1024 / 1024;
const sizeText = ({ files, bytes }: { files: number; bytes: number }) => `${files} 个文件，${mb(bytes).toFixed(1)} MB`;

/** Pids of a process and all its descendants (from /proc/<pid>/task/<tid>/children). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) out.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process ended between two reads.
    }
  }
  return out;
}

/** Resident memory (bytes) and CPU time (s) of a process tree now. */
function treeUsage(pid: number): { rss: number; cpu: number } {
  let rss = 0;
  let cpu = 0;
  for (const p of processTree(pid)) {
    try {
      rss += Number(readFileSync(`/proc/${p}/statm`, 'utf8').split(' ')[1]) * 4096;
      // Fields after the command name: utime and stime are the 12th and 13th (clock ticks of 1/100 s).
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // Ended meanwhile.
    }
  }
  return { rss, cpu };
}

/**
 * Runs one command under /usr/bin/time, sampling its process tree's memory
 * every 0.2 s. Resolves with wall time, CPU time and peak memory: the larger
 * of the tree's sampled total and the biggest single process (/usr/bin/time
 * %M). A step is stopped when it passes MEM_LIMIT_MB (the machine is shared)
 * or STEP_TIMEOUT_S.
 */
function timed(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string) {
  return new Promise<{ ok: boolean; seconds: number; cpuSeconds: number; peakMb: number; note?: string }>((done) => {
    const timeFile = `${logFile}.time`;
    rmSync(timeFile, { force: true });
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => log.push(b));
    child.stderr.on('data', (b: Buffer) => log.push(b));
    let stopped: string | undefined;
    // Only the step's own process group (started detached above) is ever signalled.
    const stop = (why: string) => {
      stopped ??= why;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    };
    let peak = 0;
    let lastCpu = 0;
    const sampler = setInterval(() => {
      if (!child.pid) return;
      const u = treeUsage(child.pid);
      peak = Math.max(peak, u.rss);
      lastCpu = Math.max(lastCpu, u.cpu);
      if (mb(u.rss) > MEM_LIMIT_MB) stop(`内存超过 ${MEM_LIMIT_MB} MB，已在 ${((performance.now() - started) / 1000).toFixed(0)} 秒时终止`);
    }, 200);
    const timer = setTimeout(() => stop(`超过 ${STEP_TIMEOUT_S} 秒被终止`), STEP_TIMEOUT_S * 1000);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const text = Buffer.concat(log).toString('utf8');
      writeFileSync(logFile, text);
      const wall = (performance.now() - started) / 1000;
      // /usr/bin/time writes "Command exited with non-zero status N" before the figures on failure; nothing when killed.
      const figures = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ') : [];
      const biggestKb = Number(figures[1] ?? 0);
      const ok = code === 0 && !stopped;
      const tail = text.trim().split('\n').slice(-5).join('\n');
      const cpu = Number(figures[2] ?? NaN) + Number(figures[3] ?? NaN);
      done({
        ok,
        seconds: Number(figures[0] ?? NaN) || wall,
        cpuSeconds: Number.isFinite(cpu) ? cpu : lastCpu,
        peakMb: Math.max(mb(peak), (Number.isFinite(biggestKb) ? biggestKb : 0) / 1024),
        ...(ok ? {} : { note: stopped ?? `退出码 ${code}：${tail}` }),
      });
      if (!ok) console.error(`  ${name} 失败（${stopped ?? `退出码 ${code}`}），日志：${logFile}\n${tail}`);
    });
  });
}

// ---------------------------------------------------------------------------
// One size

async function runSize(n: number): Promise<SizeResult> {
  const dir = join(ROOT, String(n));
  const content = join(dir, 'content');
  const dist = join(dir, 'dist');
  const db = join(dir, 'search.db');
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  // The full build starts cold: no incremental-build cache, no parse cache.
  const astroCache = join(dir, 'astro-cache');
  const parseCache = join(dir, 'content-cache');
  const openDataCache = join(dir, 'open-data-cache');
  const kept = join(dir, 'snapshots');
  for (const f of [db, `${db}-wal`, `${db}-shm`, dist, astroCache, parseCache, openDataCache, kept]) rmSync(f, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    CONTENT_DIR: content,
    ASTRO_CACHE_DIR: astroCache,
    CONTENT_CACHE_DIR: parseCache,
    // The open-data step's parts (scripts/open-data.ts), and an empty kept-snapshots folder: the day's snapshot only.
    OPEN_DATA_CACHE_DIR: openDataCache,
    SNAPSHOTS_DIR: kept,
    PORTAL_AS_OF: SCALE_AS_OF,
    DATABASE_URL: `file:${db}`,
    DATA_DIR: join(dir, 'data'),
    ASTRO_TELEMETRY_DISABLED: '1',
  };
  const result: SizeResult = { n, generated: '', steps: [] };
  const step = async (name: string, cmd: string, args: string[], output: () => string) => {
    const file = join(logs, `${name.replace(/\W+/g, '-')}.log`);
    process.stdout.write(`  ${name} …`);
    // astro build and the search index run with the heap caps of `npm run build` and `npm run search:index`
    // (without them V8 lets garbage grow past 2 GB).
    const astro = cmd === 'astro' || args[0] === 'scripts/astro-build.ts';
    const cap = astro ? ASTRO_NODE_OPTIONS : args[0] === 'scripts/search-index.ts' ? SEARCH_NODE_OPTIONS : undefined;
    const stepEnv = cap && !process.env.NODE_OPTIONS ? { ...env, NODE_OPTIONS: cap } : env;
    const r = await timed(name, join(BIN, cmd), args, stepEnv, file);
    const s: StepResult = {
      step: name, ok: r.ok, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakMb: r.peakMb, load: loadavg()[0]!,
      output: r.ok ? output() : '—', ...(r.note ? { note: r.note } : {}),
    };
    process.stdout.write(` ${s.seconds.toFixed(1)} 秒（CPU ${s.cpuSeconds.toFixed(1)} 秒），峰值 ${s.peakMb.toFixed(0)} MB，负载 ${s.load.toFixed(1)}${r.ok ? '' : '（失败）'}\n`);
    result.steps.push(s);
    return r.ok;
  };

  console.log(`\n== ${n} 项 ==`);
  const generated = await step('generate', 'tsx', ['bench/scale/generate.ts', String(n), '--out', content], () => sizeText(du(content)));
  result.generated = readFileSync(join(logs, 'generate.log'), 'utf8').trim().split('\n').at(-1) ?? '';
  if (!generated) return result;
  const lastLines = (name: string, count: number) => () => readFileSync(join(logs, `${name.replace(/\W+/g, '-')}.log`), 'utf8').trim().split('\n').slice(-count).join(' ');
  // As `npm run build` runs it: the content check, open data prepared and the record data files, in one process.
  await step('prepare', 'tsx', ['scripts/prepare-site.ts', dist], lastLines('prepare', 4));
  // As `npm run build` runs it: into a kept output folder, then what the build no longer makes removed.
  const built = await step('astro build', 'tsx', ['scripts/astro-build.ts', '--outDir', dist], () => {
    const html = du(dist);
    const pages = countHtml(dist);
    return `${sizeText(html)}（${pages} 个页面）`;
  });
  const placed = built && (await step('open data: write', 'tsx', ['scripts/open-data.ts', 'write', join(dist, 'client')], lastLines('open data: write', 1)));
  // Astro's adapter writes the static site to <outDir>/client/ and the server to <outDir>/server/.
  // As `npm run build` does: no static index above PAGEFIND_MAX_PAGES pages (scripts/pagefind.ts says so in its log).
  const indexed = placed && (await step('pagefind', 'tsx', ['scripts/pagefind.ts', join(dist, 'client')], () => (existsSync(join(dist, 'client', 'pagefind')) ? sizeText(du(join(dist, 'client', 'pagefind'))) : '未生成（页面数超过 PAGEFIND_MAX_PAGES）')));
  if (built) {
    const client = join(dist, 'client');
    result.largestPage = largestHtml(client);
    const filesBuilt = du(client).files;
    // Deployable within 100,000 files (Cloudflare's paid plan), then within 20,000 (free plan): record pages
    // beyond the budget go into bundles served on demand (scripts/bundle-pages.ts).
    const paid = indexed && (await step('bundle ≤100000', 'tsx', ['scripts/bundle-pages.ts', dist, '--max-files', String(TARGET.files)], () => sizeText(du(client))));
    const filesPaid = paid ? du(client).files : null;
    const free = paid && (await step('bundle ≤20000', 'tsx', ['scripts/bundle-pages.ts', dist, '--max-files', String(TARGET.freePlanFiles)], () => sizeText(du(client))));
    result.files = { built: filesBuilt, paid: filesPaid, free: free ? du(client).files : null };
  }
  await step('search index', 'tsx', ['scripts/search-index.ts'], () => {
    const files = [db, `${db}-wal`].map(du).reduce((a, b) => ({ files: a.files + b.files, bytes: a.bytes + b.bytes }));
    return `${mb(files.bytes).toFixed(1)} MB`;
  });

  // Publishing one changed item: one item's latest status changed in the content, then the steps of
  // `npm run publish:site` on top of the full build above (its Astro cache, parse cache and index).
  if (result.steps.filter((st) => PIPELINE.includes(st.step)).every((st) => st.ok)) {
    const changed = changeOneItem(content);
    console.log(`  发布一项改动：${changed}`);
    const before = result.steps.length;
    await step('publish: prepare', 'tsx', ['scripts/prepare-site.ts', dist], lastLines('publish: prepare', 4));
    const rebuilt = await step('publish: astro build', 'tsx', ['scripts/astro-build.ts', '--outDir', dist], () => {
      const pages = reusedPages(join(logs, 'publish-astro-build.log'));
      return `复用 ${pages.reused} 个页面，重新生成 ${pages.rendered} 个`;
    });
    if (rebuilt && (await step('publish: open data: write', 'tsx', ['scripts/open-data.ts', 'write', join(dist, 'client')], lastLines('publish: open data: write', 1)))) {
      await step('publish: pagefind', 'tsx', ['scripts/pagefind.ts', join(dist, 'client')], () => '—');
      await step('publish: bundle ≤100000', 'tsx', ['scripts/bundle-pages.ts', dist, '--max-files', String(TARGET.files)], () => sizeText(du(join(dist, 'client'))));
    }
    await step('publish: search index', 'tsx', ['scripts/search-index.ts', '--changed'], () => readFileSync(join(logs, 'publish-search-index.log'), 'utf8').split('\n').find((l) => l.startsWith('按差异')) ?? '—');
    const steps = result.steps.splice(before);
    result.publish = { changed, steps, ...(rebuilt ? { pages: reusedPages(join(logs, 'publish-astro-build.log')) } : {}) };
  }

  // The floor: the same Astro and Pagefind on N trivial pages (no content, no components).
  const floorDir = join(dir, 'floor');
  rmSync(floorDir, { recursive: true, force: true });
  mkdirSync(floorDir, { recursive: true });
  writeFileSync(join(floorDir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFloorProject(n, floorDir);
  const before = result.steps.length;
  const floorBuilt = await step('floor: astro build', 'astro', ['build', '--root', floorDir], () => `${countHtml(join(floorDir, 'dist'))} 个页面`);
  if (floorBuilt) await step('floor: pagefind', 'pagefind', ['--site', join(floorDir, 'dist'), '--quiet', '--max-fragments', String(MAX_FRAGMENTS)], () => sizeText(du(join(floorDir, 'dist', 'pagefind'))));
  result.floor = result.steps.splice(before);
  rmSync(join(floorDir, 'dist'), { recursive: true, force: true });
  return result;
}

/**
 * Changes the latest status of the first item (in file order) that has one, as an office publishing
 * one status update would: to 未完成, or to 已完成 where it already was 未完成. Returns what changed.
 */
function changeOneItem(content: string): string {
  const root = join(content, 'items');
  for (const plan of readdirSync(root).sort()) {
    for (const name of readdirSync(join(root, plan)).sort()) {
      const file = join(root, plan, name);
      const text = readFileSync(file, 'utf8');
      const at = text.lastIndexOf('\n    status: ');
      if (at < 0 || !text.includes('\nstatusHistory:\n  - ')) continue;
      const end = text.indexOf('\n', at + 1);
      const old = text.slice(at + 13, end);
      const now = old === 'not-completed' ? 'completed' : 'not-completed';
      writeFileSync(file, `${text.slice(0, at + 13)}${now}${text.slice(end)}`);
      return `${relative(content, file)}：${old} → ${now}`;
    }
  }
  throw new Error('没有带状态的任务可改');
}

/** Pages an astro build log shows reused from the previous build (`(cached)`, `(restored)`) and rendered. */
function reusedPages(log: string): { reused: number; rendered: number } {
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  return { reused: (text.match(/\((?:cached|restored)\)/g) ?? []).length, rendered: (text.match(/ \(\+\d+(?:\.\d+)?m?s\)/g) ?? []).length };
}

/** The biggest HTML page of a built site (the target: none above 500 KB). */
function largestHtml(dir: string, at = ''): { path: string; kb: number } {
  let best = { path: '', kb: 0 };
  for (const e of readdirSync(join(dir, at), { withFileTypes: true })) {
    const rel = join(at, e.name);
    const cand = e.isDirectory() ? largestHtml(dir, rel) : e.name.endsWith('.html') ? { path: `/${rel}`, kb: statSync(join(dir, rel)).size / 1024 } : best;
    if (cand.kb > best.kb) best = cand;
  }
  return best;
}


// ---------------------------------------------------------------------------
// Report

function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? 'unknown';
  let quota = '';
  try {
    const [max, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(' ');
    if (max !== 'max') quota = `，cgroup 配额 ${(Number(max) / Number(period)).toFixed(1)} 核`;
  } catch {
    // No cgroup v2 CPU limit.
  }
  return `机器：${model}，${availableParallelism()} 核${quota}，内存 ${(totalmem() / 1024 ** 3).toFixed(1)} GB，Node ${process.version}（${process.platform}-${process.arch}）`;
}

const PIPELINE = ['prepare', 'astro build', 'open data: write', 'pagefind', 'bundle ≤100000', 'search index'];
/** The steps of `npm run publish:site` after one item changed (the search index by difference). */
const PUBLISH = PIPELINE.map((st) => `publish: ${st}`);
/** Names in the JSON report. */
const KEYS: Record<string, string> = {
  generate: 'generate', prepare: 'prepare', 'astro build': 'astro', 'open data: write': 'open_data_write', pagefind: 'pagefind',
  'bundle ≤100000': 'bundle_paid', 'bundle ≤20000': 'bundle_free', 'search index': 'search_index',
  'floor: astro build': 'floor_astro', 'floor: pagefind': 'floor_pagefind',
};

function report(results: SizeResult[]) {
  console.log(`\n${machine()}`);
  console.log(`统计截至 ${SCALE_AS_OF}（PORTAL_AS_OF）；峰值内存为该步骤进程树的常驻内存（每 0.2 秒采样，不低于 /usr/bin/time %M 的最大单进程值）；超过 ${MEM_LIMIT_MB} MB 的步骤被终止；负载为步骤结束时的 1 分钟平均负载（>2 表示与其他任务争用 CPU，用时偏大）。\n`);
  const rows: string[][] = [['规模', '步骤', '用时（秒）', 'CPU（秒）', '峰值内存（MB）', '每项用时（毫秒）', '负载', '输出']];
  for (const r of results) {
    for (const s of r.steps) {
      rows.push([String(r.n), s.step, s.seconds.toFixed(1), s.cpuSeconds.toFixed(1), s.peakMb.toFixed(0), ((s.seconds * 1000) / r.n).toFixed(2), s.load.toFixed(1), s.ok ? s.output : `失败：${s.note ?? ''}`.split('\n')[0]!]);
    }
    const pipe = r.steps.filter((s) => PIPELINE.includes(s.step));
    const total = pipe.reduce((a, s) => a + s.seconds, 0);
    const cpu = pipe.reduce((a, s) => a + s.cpuSeconds, 0);
    const peak = Math.max(...pipe.map((s) => s.peakMb));
    rows.push([String(r.n), '构建合计（不含生成）', total.toFixed(1), cpu.toFixed(1), peak.toFixed(0), ((total * 1000) / r.n).toFixed(2), '', pipe.every((s) => s.ok) && pipe.length === PIPELINE.length ? '全部成功' : '有步骤失败']);
  }
  printTable(rows);
  for (const r of results) if (r.generated) console.log(`  ${r.n}：${r.generated}`);

  // Publishing one changed item: the incremental path on top of the full build.
  const published = results.filter((r) => r.publish);
  if (published.length) {
    console.log('\n发布一项改动（npm run publish:site：增量构建 + 检索索引按差异更新；目标 ≤ 60 秒）：');
    const prow: string[][] = [['规模', '步骤', '用时（秒）', 'CPU（秒）', '峰值内存（MB）', '负载', '输出']];
    for (const r of published) {
      for (const st of r.publish!.steps) prow.push([String(r.n), st.step.replace('publish: ', ''), st.seconds.toFixed(1), st.cpuSeconds.toFixed(1), st.peakMb.toFixed(0), st.load.toFixed(1), st.ok ? st.output : `失败：${st.note ?? ''}`.split('\n')[0]!]);
      const t = r.publish!.steps.reduce((a, st) => a + st.seconds, 0);
      const ok = r.publish!.steps.length === PUBLISH.length && r.publish!.steps.every((st) => st.ok);
      prow.push([String(r.n), '合计', t.toFixed(1), r.publish!.steps.reduce((a, st) => a + st.cpuSeconds, 0).toFixed(1), '', '', ok ? (t <= 60 ? '✓ ≤ 60 秒' : '✗ > 60 秒') : '有步骤失败']);
      console.log(`  ${r.n}：${r.publish!.changed}`);
    }
    printTable(prow);
  }

  // Growth between consecutive sizes: exponent k of t ∝ N^k per step, on wall time and on CPU time.
  if (results.length > 1) {
    console.log('\n增长（相邻规模之间 t ∝ N^k 的 k，墙钟 / CPU；k ≤ 1.1 视为线性或更好，判断按 CPU 时间，受机器负载影响较小）：');
    const growth: string[][] = [['步骤', ...results.slice(1).map((r, i) => `${results[i]!.n}→${r.n}`), '判断']];
    for (const name of ['generate', ...PIPELINE, '构建合计']) {
      const time = (r: SizeResult, of: 'seconds' | 'cpuSeconds') => {
        const steps = name === '构建合计' ? r.steps.filter((s) => PIPELINE.includes(s.step)) : r.steps.filter((s) => s.step === name);
        const complete = steps.length > 0 && steps.every((s) => s.ok) && (name !== '构建合计' || steps.length === PIPELINE.length);
        return complete ? steps.reduce((a, s) => a + s[of], 0) : NaN;
      };
      const k = (of: 'seconds' | 'cpuSeconds') =>
        results.slice(1).map((r, i) => Math.log(time(r, of) / time(results[i]!, of)) / Math.log(r.n / results[i]!.n));
      const wall = k('seconds');
      const cpu = k('cpuSeconds');
      const known = cpu.filter(Number.isFinite);
      const worst = Math.max(...known);
      const verdict = !known.length ? '—' : worst <= 1.1 ? '线性或更好' : `超线性（最大 k=${worst.toFixed(2)}）`;
      const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
      growth.push([name, ...wall.map((w, i) => `${fmt(w)} / ${fmt(cpu[i]!)}`), verdict]);
    }
    printTable(growth);
  }

  const at = results.find((r) => r.n === TARGET.items) ?? results.at(-1)!;
  const pipe = at.steps.filter((s) => PIPELINE.includes(s.step));
  const total = pipe.reduce((a, s) => a + s.seconds, 0);
  const peak = Math.max(...pipe.map((s) => s.peakMb));
  const complete = pipe.length === PIPELINE.length && pipe.every((s) => s.ok);
  const scaled = at.n === TARGET.items ? '' : `（未测 ${TARGET.items} 项；按 ${at.n} 项线性外推约 ${((total * TARGET.items) / at.n).toFixed(0)} 秒）`;
  const failed = PIPELINE.filter((name) => !pipe.some((s) => s.step === name && s.ok));
  console.log(
    `\n目标（${TARGET.items} 项：≤ ${TARGET.seconds} 秒，≤ ${TARGET.mb} MB）：` +
      (complete
        ? `${at.n} 项构建合计 ${total.toFixed(1)} 秒${total <= TARGET.seconds ? ' ✓' : ' ✗'}，峰值 ${peak.toFixed(0)} MB${peak <= TARGET.mb ? ' ✓' : ' ✗'}${scaled}`
        : `${at.n} 项构建未完成 ✗（失败或未运行：${failed.join('、')}）；已完成步骤合计 ${total.toFixed(1)} 秒，峰值 ${peak.toFixed(0)} MB`),
  );
}

/** Our build against the framework's floor, and the figures of the JSON report. */
function floorAndFigures(results: SizeResult[]): Figure[] {
  const out: Figure[] = [];
  const lim = (value: number, comparison: '<=' | '>=' = '<=') => ({ value, comparison });
  const rows: string[][] = [['规模', '本项目构建+索引（秒）', '框架下限（秒）', '用时倍数', '本项目峰值（MB）', '下限峰值（MB）', '内存倍数']];
  for (const r of results) {
    const atTarget = r.n === TARGET.items;
    for (const st of [...r.steps, ...(r.floor ?? [])]) {
      const key = KEYS[st.step] ?? st.step.replace(/\W+/g, '_');
      out.push(figure(`${r.n}.${key}.seconds`, st.ok ? round(st.seconds) : null, 's'));
      out.push(figure(`${r.n}.${key}.cpu_seconds`, st.ok ? round(st.cpuSeconds) : null, 's'));
      out.push(figure(`${r.n}.${key}.peak_mb`, round(st.peakMb), 'MB', PIPELINE.includes(st.step) ? lim(TARGET.mb) : undefined));
      out.push(figure(`${r.n}.${key}.load`, round(st.load), 'load average (1 min)'));
    }
    const pipe = r.steps.filter((st) => PIPELINE.includes(st.step));
    const complete = pipe.length === PIPELINE.length && pipe.every((st) => st.ok);
    const total = pipe.reduce((a, st) => a + st.seconds, 0);
    const peak = Math.max(0, ...pipe.map((st) => st.peakMb));
    out.push(figure(`${r.n}.total.seconds`, complete ? round(total) : null, 's', atTarget ? lim(TARGET.seconds) : undefined));
    out.push(figure(`${r.n}.total.peak_mb`, round(peak), 'MB', lim(TARGET.mb)));
    // Publishing one changed item (`npm run publish:site`): each step, the whole, and what Astro reused.
    if (r.publish) {
      const ok = r.publish.steps.length === PUBLISH.length && r.publish.steps.every((st) => st.ok);
      const seconds = r.publish.steps.reduce((a, st) => a + st.seconds, 0);
      for (const st of r.publish.steps) {
        const key = `publish_${KEYS[st.step.replace('publish: ', '')] ?? st.step.replace(/\W+/g, '_')}`;
        out.push(figure(`${r.n}.${key}.seconds`, st.ok ? round(st.seconds) : null, 's'));
        out.push(figure(`${r.n}.${key}.cpu_seconds`, st.ok ? round(st.cpuSeconds) : null, 's'));
        out.push(figure(`${r.n}.${key}.peak_mb`, round(st.peakMb), 'MB'));
        out.push(figure(`${r.n}.${key}.load`, round(st.load), 'load average (1 min)'));
      }
      out.push(figure(`${r.n}.one_item_change.seconds`, ok ? round(seconds) : null, 's', lim(60)));
      out.push(figure(`${r.n}.one_item_change.cpu_seconds`, ok ? round(r.publish.steps.reduce((a, st) => a + st.cpuSeconds, 0)) : null, 's'));
      if (r.publish.pages) {
        out.push(figure(`${r.n}.one_item_change.pages_reused`, r.publish.pages.reused, 'pages'));
        out.push(figure(`${r.n}.one_item_change.pages_rendered`, r.publish.pages.rendered, 'pages'));
      }
    }
    if (r.files) {
      out.push(figure(`${r.n}.output.files_built`, r.files.built, 'files'));
      out.push(figure(`${r.n}.output.files`, r.files.paid, 'files', atTarget ? lim(TARGET.files) : undefined));
      out.push(figure(`${r.n}.output.files_free_plan`, r.files.free, 'files', lim(TARGET.freePlanFiles)));
    }
    if (r.largestPage) out.push(figure(`${r.n}.largest_page.kb`, round(r.largestPage.kb), 'KB', lim(TARGET.pageKb)));
    // The floor does what our astro build + Pagefind do: compare those two steps with it.
    const ours = r.steps.filter((st) => st.step === 'astro build' || st.step === 'pagefind');
    const floor = r.floor ?? [];
    if (ours.length === 2 && ours.every((st) => st.ok) && floor.length === 2 && floor.every((st) => st.ok)) {
      const t = ours.reduce((a, st) => a + st.seconds, 0);
      const ft = floor.reduce((a, st) => a + st.seconds, 0);
      const m = Math.max(...ours.map((st) => st.peakMb));
      const fm = Math.max(...floor.map((st) => st.peakMb));
      out.push(figure(`${r.n}.floor.seconds`, round(ft), 's'), figure(`${r.n}.floor.peak_mb`, round(fm), 'MB'));
      out.push(figure(`${r.n}.vs_floor.time_ratio`, round(t / ft), '×'), figure(`${r.n}.vs_floor.memory_ratio`, round(m / fm), '×'));
      rows.push([String(r.n), t.toFixed(1), ft.toFixed(1), `${(t / ft).toFixed(1)}×`, m.toFixed(0), fm.toFixed(0), `${(m / fm).toFixed(1)}×`]);
    }
  }
  if (rows.length > 1) {
    console.log('\n与框架下限相比（同一 Astro 与 Pagefind，N 个只有一段文字的页面；比较 astro build + Pagefind 两步）：');
    printTable(rows);
  }
  for (const r of results) {
    if (r.files) console.log(`  ${r.n}：静态输出 ${r.files.built} 个文件；限 ${TARGET.files} 个时 ${r.files.paid ?? '—'} 个；限 ${TARGET.freePlanFiles} 个（Cloudflare 免费版）时 ${r.files.free ?? '—'} 个`);
    if (r.largestPage) console.log(`  ${r.n}：最大的页面 ${r.largestPage.path}，${r.largestPage.kb.toFixed(0)} KB`);
  }
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1]!, results[i]!];
    const cpu = (r: SizeResult) => {
      const pipe = r.steps.filter((st) => PIPELINE.includes(st.step));
      return pipe.length === PIPELINE.length && pipe.every((st) => st.ok) ? pipe.reduce((x, st) => x + st.cpuSeconds, 0) : NaN;
    };
    const k = Math.log(cpu(b) / cpu(a)) / Math.log(b.n / a.n);
    out.push(figure(`${a.n}-${b.n}.total.cpu_growth_exponent`, Number.isFinite(k) ? round(k) : null, 'k in t ∝ N^k', lim(1.1)));
  }
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Prints rows as an aligned table (CJK characters count double width). */
function printTable(rows: string[][]) {
  const width = (s: string) => [...s].reduce((w, c) => w + (/[\u1100-\uffff]/u.test(c) ? 2 : 1), 0);
  const cols = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  for (const [k, r] of rows.entries()) {
    console.log(r.map((c, i) => c + ' '.repeat(cols[i]! - width(c))).join('  ').trimEnd());
    if (k === 0) console.log(cols.map((w) => '-'.repeat(w)).join('  '));
  }
}

// ---------------------------------------------------------------------------

console.log(`规模测试：${sizes.join('、')} 项（合成数据，写入 ${ROOT}）`);
console.log(machine());
const results: SizeResult[] = [];
for (const n of sizes) {
  results.push(await runSize(n));
  // Saved after every size, so a long run that is stopped keeps what it measured.
  writeFileSync(join(ROOT, 'results.json'), `${JSON.stringify({ machine: machine(), asOf: SCALE_AS_OF, results }, null, 2)}\n`);
}
report(results);
const reportFile = writeReport('scale', floorAndFigures(results));
console.log(`\n数据已写入 ${reportFile}`);
