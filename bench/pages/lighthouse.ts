/**
 * Page-quality benchmark: Lighthouse (v12, Node API) on one page of each type
 * the public uses — dashboard, item, case, plan, complaint form, search — and
 * the weight of each of those pages.
 *
 *   node_modules/.bin/tsx bench/pages/lighthouse.ts [--runs N] [--only TYPE,…] [--save DIR]
 *   (npm run bench:pages)
 *
 * --runs: Lighthouse runs per page (default 3); --only: some page types
 * (dashboard, item, case, plan, "complaint form", search); --save: write each
 * page's median Lighthouse report (JSON) into DIR.
 *
 * Why: the portal is read on phones over slow networks by people checking on
 * their own neighbourhood, and it is a government disclosure site that must be
 * usable with assistive technology. The targets are performance ≥ 95 and
 * accessibility 100 on every page type, and an item page — the page people
 * are sent to and cite — of at most 30 KB of gzipped HTML that needs no
 * JavaScript at all.
 *
 * How: the built site (dist/client/, or DIST_DIR) is copied to a temporary folder —
 * a rebuild during the few minutes of runs would otherwise mix two builds —
 * and served by the real Node server (functions/node.ts) on a free port with a
 * temporary data folder holding the content's search index (as `npm start`
 * builds it), so the database-backed complaint form and search render as in
 * production. Build first; this does not build. Chromium is Debian's
 * /usr/bin/chromium (CHROMIUM_PATH overrides), launched headless by
 * chrome-launcher. Lighthouse runs with its default settings: mobile profile
 * (emulated Moto G Power), simulated throttling (slow 4G, 4× CPU slowdown).
 * After one discarded warm-up run, each page is audited N times and
 * Lighthouse's own median-run choice (closest to the median FCP and TTI) is
 * reported; accessibility and best-practice results are deterministic,
 * performance varies a few points with the load on the machine, which is
 * printed with it.
 *
 * Page weight is what the browser requested during the audited load,
 * re-fetched and gzipped here with zlib (level 6, a server's usual setting)
 * — the Node server itself sends uncompressed bodies — grouped as HTML, CSS,
 * JS and other (Pagefind index and WebAssembly, images, fonts, JSON).
 *
 * Prints the machine, a table of scores and metrics (FCP, LCP, TBT, CLS),
 * every failing accessibility and best-practices audit (SEO for
 * information), the page weights, and PASS/MISS for each target (and for
 * each page loading without a failed request). Exits 1 when one is missed.
 * Writes nothing in the repository (unless --save points there).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { type Flags, type Result } from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { startServer } from '../../tests/support/server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface PageType {
  /** What kind of page this stands for. */
  type: string;
  path: string;
}

const PAGES: PageType[] = [
  { type: 'dashboard', path: '/' },
  { type: 'item', path: '/items/wuwei-2020-07/' },
  { type: 'case', path: '/cases/jilin-backdated-deadline/' },
  { type: 'plan', path: '/plans/wuwei-2020/' },
  { type: 'complaint form', path: '/complaints/new/' },
  { type: 'search', path: `/search/?q=${encodeURIComponent('污水')}` },
];

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

const TARGETS = {
  performance: 95,
  accessibility: 100,
  itemHtmlGzip: 30 * 1024,
  /** The live-section script, gzip (about 0.4 KB): the content itself needs no JavaScript. */
  itemJsGzip: 1024,
};

function parseArgs(argv: string[]): { runs: number; saveDir: string | undefined; pages: PageType[] } {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const runs = Number(value('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive whole number');
  const only = value('--only')?.split(',');
  const pages = only ? PAGES.filter((p) => only.includes(p.type)) : PAGES;
  if (!pages.length) throw new Error(`--only takes page types: ${PAGES.map((p) => p.type).join(', ')}`);
  return { runs, saveDir: value('--save'), pages };
}

function chromiumVersion(): string {
  try {
    // Debian's wrapper script prints a harmless shell warning on stderr: ignore it.
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `unknown (${CHROMIUM})`;
  }
}

/** Score 0–100 of a category, or null when Lighthouse could not score it. */
function score(lhr: Result, category: string): number | null {
  const s = lhr.categories[category]?.score;
  return s === null || s === undefined ? null : Math.round(s * 100);
}

function metric(lhr: Result, id: string): number | undefined {
  return lhr.audits[id]?.numericValue;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

interface FailingAudit {
  id: string;
  title: string;
  score: number | null;
  /** Selectors or URLs the audit names, a few at most. */
  where: string[];
}

/** Audits of a category that count towards its score (or are binary) and did not pass. */
function failingAudits(lhr: Result, category: string): FailingAudit[] {
  const failing: FailingAudit[] = [];
  for (const ref of lhr.categories[category]?.auditRefs ?? []) {
    const audit = lhr.audits[ref.id];
    if (!audit) continue;
    if (['notApplicable', 'manual', 'informative'].includes(audit.scoreDisplayMode)) continue;
    if (audit.scoreDisplayMode === 'error') {
      failing.push({ id: ref.id, title: audit.title, score: null, where: [audit.errorMessage ?? 'audit error'] });
      continue;
    }
    if (audit.score === null || audit.score >= 1) continue;
    // Performance: the diagnostics only (metrics are in the table; 'hidden' repeats them as insights).
    if (category === 'performance' && (ref.group === 'metrics' || ref.group === 'hidden' || audit.score >= 0.9)) continue;
    failing.push({ id: ref.id, title: audit.title, score: audit.score, where: locations(audit.details) });
  }
  return failing;
}

/** The nodes or URLs an audit's details name (nested tables included), for finding the cause. */
function locations(details: unknown): string[] {
  const out = new Set<string>();
  const visit = (d: unknown) => {
    const raw = (d as { items?: unknown } | undefined)?.items;
    for (const entry of Array.isArray(raw) ? raw : []) {
      const item = entry as Record<string, unknown>;
      if (item['type'] === 'table' || item['type'] === 'list') {
        visit(item);
        continue;
      }
      if (item['type'] === 'list-section') {
        visit(item['value']);
        continue;
      }
      const node = item['node'] as { type?: string; selector?: string; snippet?: string } | undefined;
      const subItems = (item['subItems'] as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
      if (node?.type === 'node' && node.snippet) out.add(`${node.selector ?? ''} ${node.snippet}`.trim());
      else if (typeof item['url'] === 'string') out.add(item['url']);
      else if (typeof item['source'] === 'string' && typeof item['description'] === 'string') out.add(`${item['source']}: ${item['description']}`);
      else if (typeof item['issueType'] === 'string') out.add(`${item['issueType']} ${subItems.map((i) => JSON.stringify(i)).join(' ')}`.trim());
    }
  };
  visit(details);
  const list = [...out];
  return list.length > 5 ? [...list.slice(0, 5), `… ${list.length - 5} more`] : list;
}

interface Weight {
  html: number;
  css: number;
  js: number;
  other: number;
  total: number;
  /** Bytes the browser actually received (the Node server does not compress). */
  transferred: number;
  requests: number;
  /** Same-origin requests answered with an error status: the page measured is broken. */
  failed: string[];
}

/** Gzipped weight of every same-origin request of the audited load, by kind. */
async function pageWeight(lhr: Result, origin: string): Promise<Weight> {
  const items = (lhr.audits['network-requests']?.details as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
  const weight: Weight = { html: 0, css: 0, js: 0, other: 0, total: 0, transferred: 0, requests: 0, failed: [] };
  const seen = new Set<string>();
  for (const item of items) {
    const url = String(item['url'] ?? '');
    if (!url.startsWith(origin) || seen.has(url)) continue;
    seen.add(url);
    const status = Number(item['statusCode'] ?? 0);
    if (status >= 400) {
      weight.failed.push(`${status} ${url.slice(origin.length)}`);
      continue;
    }
    const response = await fetch(url);
    const body = new Uint8Array(await response.arrayBuffer());
    const gz = gzipSync(body, { level: 6 }).length;
    const kind = item['resourceType'];
    const key = kind === 'Document' ? 'html' : kind === 'Stylesheet' ? 'css' : kind === 'Script' ? 'js' : 'other';
    weight[key] += gz;
    weight.total += gz;
    weight.transferred += Number(item['transferSize'] ?? 0);
    weight.requests += 1;
  }
  return weight;
}

interface PageResult {
  page: PageType;
  lhr: Result;
  /** Performance scores of all runs, to show the spread. */
  perfRuns: (number | null)[];
  weight: Weight;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i > 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}
function pad(s: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
}

/**
 * One Lighthouse run. A run that fails to record its trace (NO_NAVSTART,
 * NO_FCP under load) is repeated, twice at most: that is the tool, not the page.
 */
async function audit(url: string, flags: Flags): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    const result = await lighthouse(url, flags);
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const error = result.lhr.runtimeError;
    if (!error) return result.lhr;
    if (attempt === 3) throw new Error(`${url}: ${error.code} ${error.message}`);
    process.stderr.write(`${url}: ${error.code}, running again\n`);
  }
}

/** Serves a copy of the build and audits every page type, `runs` times each. */
async function measure(pages: PageType[], runs: number, saveDir: string | undefined): Promise<PageResult[]> {
  const site = mkdtempSync(join(tmpdir(), 'portal-lh-dist-'));
  try {
    cpSync(process.env.DIST_DIR ?? 'dist/client', site, { recursive: true });
    const server = await startServer({ DIST_DIR: site });
    try {
      // As `npm start` does: index the content for /api/search, or the search page would find nothing.
      execFileSync('node_modules/.bin/tsx', ['scripts/search-index.ts'], { env: { ...process.env, DATA_DIR: server.dataDir }, stdio: 'ignore' });
      const chrome = await chromeLauncher.launch({
        chromePath: CHROMIUM,
        chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
        logLevel: 'silent',
      });
      try {
        const flags: Flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] };
        // One discarded run first: the first load after starting the server and the browser is slower.
        await audit(`${server.url}/`, flags);
        const results: PageResult[] = [];
        for (const page of pages) {
          const lhrs: Result[] = [];
          for (let i = 0; i < runs; i++) {
            const lhr = await audit(`${server.url}${page.path}`, flags);
            lhrs.push(lhr);
            process.stderr.write(`${page.path} run ${i + 1}/${runs}: performance ${score(lhr, 'performance')}\n`);
          }
          const lhr = computeMedianRun(lhrs);
          if (saveDir) writeFileSync(join(saveDir, `${page.type.replace(/\W+/g, '-')}.json`), JSON.stringify(lhr));
          results.push({ page, lhr, perfRuns: lhrs.map((r) => score(r, 'performance')), weight: await pageWeight(lhr, server.url) });
        }
        return results;
      } finally {
        chrome.kill();
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}

async function main() {
  const { runs, saveDir, pages } = parseArgs(process.argv.slice(2));
  if (saveDir) mkdirSync(saveDir, { recursive: true });
  const loadBefore = loadavg()[0]!;
  const results = await measure(pages, runs, saveDir);

  const first = results[0]!.lhr;
  const cpu = cpus();
  console.log('\n## Machine\n');
  console.log(`CPU: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} logical cores; memory ${Math.round(totalmem() / 2 ** 30)} GiB; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`);
  console.log(`Node ${process.version}; ${chromiumVersion()}; Lighthouse ${first.lighthouseVersion}`);
  console.log(`Lighthouse benchmarkIndex ${results.map((r) => Math.round(r.lhr.environment.benchmarkIndex)).join(', ')} (one per page; higher is faster, lower while other processes load the machine)`);
  const s = first.configSettings;
  console.log(`Profile: ${s.formFactor}, ${s.screenEmulation.width}×${s.screenEmulation.height} @${s.screenEmulation.deviceScaleFactor}x, throttling ${s.throttlingMethod} (RTT ${s.throttling.rttMs} ms, ${s.throttling.throughputKbps} kbps, CPU ×${s.throttling.cpuSlowdownMultiplier}); median of ${runs} run(s)`);

  console.log('\n## Scores and metrics\n');
  console.log(
    table(
      ['page', 'path', 'perf', 'perf runs', 'a11y', 'best pr.', 'SEO', 'FCP', 'LCP', 'TBT', 'CLS'],
      results.map(({ page, lhr, perfRuns }) => [
        page.type,
        decodeURIComponent(page.path),
        String(score(lhr, 'performance') ?? '—'),
        perfRuns.join('/'),
        String(score(lhr, 'accessibility') ?? '—'),
        String(score(lhr, 'best-practices') ?? '—'),
        String(score(lhr, 'seo') ?? '—'),
        ms(metric(lhr, 'first-contentful-paint')),
        ms(metric(lhr, 'largest-contentful-paint')),
        ms(metric(lhr, 'total-blocking-time')),
        (metric(lhr, 'cumulative-layout-shift') ?? 0).toFixed(3),
      ]),
    ),
  );

  console.log('\n## Failing audits\n');
  let anyFailing = false;
  for (const { page, lhr } of results) {
    for (const category of ['accessibility', 'best-practices', 'seo', 'performance']) {
      // Performance opportunities are listed only where the score misses its target.
      if (category === 'performance' && (score(lhr, 'performance') ?? 0) >= TARGETS.performance) continue;
      for (const audit of failingAudits(lhr, category)) {
        anyFailing = true;
        const tag = category === 'seo' ? 'seo (info)' : category;
        console.log(`${page.type} ${decodeURIComponent(page.path)} [${tag}] ${audit.id}: ${audit.title} (score ${audit.score ?? 'error'})`);
        for (const w of audit.where) console.log(`    ${w}`);
      }
    }
  }
  if (!anyFailing) console.log('none');

  console.log('\n## Page weight (gzip -6 of every same-origin request of the load)\n');
  console.log(
    table(
      ['page', 'HTML', 'CSS', 'JS', 'other', 'total', 'requests', 'sent (uncompressed)'],
      results.map(({ page, weight: w }) => [page.type, kb(w.html), kb(w.css), kb(w.js), kb(w.other), kb(w.total), String(w.requests), kb(w.transferred)]),
    ),
  );
  console.log('The load only: chart.js (~60 KB gzip) is fetched when a chart nears the viewport (below the fold on this phone).');

  console.log('\n## Targets\n');
  const checks: [string, boolean, string][] = [];
  const item = results.find((r) => r.page.type === 'item');
  if (item) {
    checks.push([`item page HTML ≤ ${kb(TARGETS.itemHtmlGzip)} gzip`, item.weight.html <= TARGETS.itemHtmlGzip, kb(item.weight.html)]);
    // The content needs none; the one script fills the live complaints section (src/scripts/live-sections.ts), which without it is a link.
    checks.push([`item page JS ≤ ${kb(TARGETS.itemJsGzip)} (the live section only)`, item.weight.js <= TARGETS.itemJsGzip, kb(item.weight.js)]);
  }
  for (const { page, weight } of results) checks.push([`${page.type}: no failed requests`, weight.failed.length === 0, weight.failed.join(', ') || 'none']);
  for (const { page, lhr } of results) {
    const perf = score(lhr, 'performance');
    const a11y = score(lhr, 'accessibility');
    checks.push([`${page.type}: performance ≥ ${TARGETS.performance}`, perf !== null && perf >= TARGETS.performance, String(perf ?? '—')]);
    checks.push([`${page.type}: accessibility = ${TARGETS.accessibility}`, a11y === TARGETS.accessibility, String(a11y ?? '—')]);
  }
  for (const [label, ok, value] of checks) console.log(`${ok ? 'PASS' : 'MISS'}  ${label}  (${value})`);
  const missed = checks.filter(([, ok]) => !ok).length;
  console.log(missed ? `\n${missed} target(s) missed.` : '\nAll targets met.');
  process.exitCode = missed ? 1 : 0;
}

await main();
