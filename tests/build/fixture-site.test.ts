/**
 * The site built from the synthetic time fixture (tests/fixtures/time/: the
 * real content plus made-up records, as of 2021-01-15) into a temporary
 * folder: the two clocks side by side on the pages, the 近期到期 / 新近逾期
 * lists, and the progress chart's table. The real site in dist/ has no item
 * with a deadline ahead or a moved due date, so these are proved here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, makeTimeFixture } from '../fixtures/time/make.ts';
import { checkAtom } from '../support/atom.ts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildPortal } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { MANIFEST, makeSnapshot, openDataFiles, type Snapshot } from '../../src/site/snapshots.ts';
import type { SnapshotHistory } from '../../src/site/snapshot-compare.ts';
import { markupProblems } from '../support/markup.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { axeViolations, launchBrowser, phoneProblems } from '../support/browser.ts';

/**
 * Snapshots kept from two earlier publications (the fixture as of 2020-08-01 and 2021-01-01), to be
 * carried forward unchanged. Between them item 12's status changes (its 2020-09 entry) and an
 * amendment (2020-12-20) moves the deadlines of items 9 and 11.
 */
function keepEarlierSnapshots(content: string, kept: string) {
  const snapshots: Snapshot[] = [];
  for (const date of ['2020-08-01', '2021-01-01']) {
    const s = makeSnapshot(date, openDataFiles(buildPortal(loadContent(content).content, date)), snapshots.at(-1));
    mkdirSync(join(kept, s.date), { recursive: true });
    for (const [name, bytes] of s.files) writeFileSync(join(kept, s.date, name), bytes);
    writeFileSync(join(kept, s.date, MANIFEST), s.manifestBytes);
    snapshots.push(s);
  }
  return snapshots;
}
let firstSha = '';
let earlierSha = '';

const CORRECTIONS = [
  { reference: 'E2021-000002', page: '/items/wuwei-2020-10/', resolvedAt: '2021-01-12T03:00:00.000Z', resolution: '已将责任单位更正为凉州区人民政府。', source: '武办字〔2020〕47号' },
  { reference: 'E2021-000001', page: '/items/wuwei-2020-10/', resolvedAt: '2021-01-05T03:00:00.000Z', resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' },
  { reference: 'E2021-000003', page: '/cases/jilin-backdated-deadline/', resolvedAt: '2021-01-13T03:00:00.000Z', resolution: '已更正通报日期。', source: '生态环境部通报' },
];

let root: string;
let dist: string;
let out: string;
const page = (path: string) => readFileSync(join(dist, path, 'index.html'), 'utf8');
const text = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const section = (html: string, attr: string) => {
  const start = html.indexOf(attr);
  return start < 0 ? '' : html.slice(start, html.indexOf('</div>', html.indexOf('</table>', start) > 0 ? html.indexOf('</table>', start) : start));
};

beforeAll(() => {
  const content = makeTimeFixture();
  root = dirname(content);
  // Inside the project: the adapter's prerender bundle must resolve the project's node_modules.
  // Astro's adapter writes the static site to <outDir>/client/.
  mkdirSync('.scratch', { recursive: true });
  out = mkdtempSync(join('.scratch', 'fixture-site-'));
  dist = join(out, 'client');
  const kept = join(root, 'kept-snapshots');
  [firstSha, earlierSha] = keepEarlierSnapshots(content, kept).map((s) => s.sha256) as [string, string];
  // Corrections as scripts/corrections.ts copies them from the database before a build.
  const corrections = join(root, 'corrections.json');
  writeFileSync(corrections, JSON.stringify({ generatedAt: '2021-01-14T08:00:00.000Z', corrections: CORRECTIONS }));
  // Astro's incremental-build cache and the open-data step's cache in the fixture's temporary folder, removed with it.
  const env = { ...process.env, CONTENT_DIR: content, PORTAL_AS_OF: AS_OF, SITE_URL: 'https://fixture.example', SNAPSHOTS_DIR: kept, ASTRO_CACHE_DIR: join(root, 'astro-cache'), OPEN_DATA_CACHE_DIR: join(root, 'open-data'), CORRECTIONS_FILE: corrections };
  // As `npm run build`: the open-data step before astro build and after it, then the record pages' data files.
  execFileSync('node_modules/.bin/tsx', ['scripts/open-data.ts'], { env, stdio: 'pipe' });
  execFileSync('node_modules/.bin/astro', ['build', '--outDir', out], { env, stdio: 'pipe' });
  execFileSync('node_modules/.bin/tsx', ['scripts/open-data.ts', 'write', dist], { env, stdio: 'pipe' });
  execFileSync('node_modules/.bin/tsx', ['scripts/record-files.ts', out], { env, stdio: 'pipe' });
}, 240_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('the fixture site (synthetic records, as of 2021-01-15)', () => {
  it('shows both clocks side by side in item tables and on the item page where an amendment moved a deadline', () => {
    const plan = page('plans/wuwei-2020');
    expect(plan).toMatch(/<td[^>]* data-clocks="differ"><span class="clock-current">现行：2021年2月28日前<\/span><br\s*\/?><span class="clock-original muted">原定：2020年12月31日前<\/span>/);
    expect(text(page('items/wuwei-2020-09'))).toMatch(/现行时限：2021年2月28日前 ?； ?原定时限：2020年12月31日前/);
    expect(page('items/wuwei-2020-09')).toContain('超原定时限');
    // An item whose deadline was not moved shows one clock.
    expect(page('items/wuwei-2020-07')).not.toContain('两个时钟</dt>');
  });

  it('lists what falls due soon and what fell due recently on the dashboard, unit and region pages', () => {
    for (const path of ['', 'regions/gansu-wuwei']) {
      const html = page(path);
      expect(text(section(html, 'data-time-list="due-30"')), path).toContain('第11项');
      expect(text(section(html, 'data-time-list="due-90"')), path).toContain('第9项');
      const late = text(section(html, 'data-time-list="overdue-30"'));
      expect(late, path).toContain('第10项');
      expect(late, path).toMatch(/第9项[^第]*原定：2020年12月31日[^第]*超原定时限/);
    }
    const unit = page('units/wuwei-ecology');
    expect(unit).toContain('data-time-list="due-30"');
  });

  it('draws progress over time with its data table, one row per dated event', () => {
    const html = page('plans/wuwei-2020');
    const table = /<caption>进展随时间变化[^<]*<\/caption>([\s\S]*?)<\/table>/.exec(html)![1]!;
    const rows = [...table.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(rows[0]).toBe('2020年7月30日');
    expect(rows).toContain('2020年12月20日');
    expect(rows.at(-1)).toBe('2021年1月15日');
    expect(text(table)).toContain('方案修改');
  });

  it('publishes sign-off windows, new cases and deadlines passing as feed entries, with SITE_URL links, nothing after the as-of date', () => {
    const site = checkAtom(readFileSync(join(dist, 'feed.xml'), 'utf8'));
    expect(site.problems).toEqual([]);
    const titles = site.feed!.entries.map((e) => e.title);
    expect(titles).toContain('典型案例：【合成测试数据】某地整改弄虚作假');
    expect(titles.some((t) => t.includes('第14项：验收销号公示开始（至2021年1月12日）'))).toBe(true);
    expect(titles.some((t) => t.includes('第14项：验收销号公示期满'))).toBe(true);
    expect(titles.some((t) => t.includes('第9项：原定整改时限（2020年12月31日）已过，未公开完成'))).toBe(true);
    expect(titles.some((t) => t.includes('第12项：已完成'))).toBe(true);
    expect(site.feed!.entries.every((e) => e.updated <= `${AS_OF}T00:00:00+08:00`)).toBe(true);
    expect(site.feed!.id).toBe('https://fixture.example/');
    const item = checkAtom(readFileSync(join(dist, 'items/wuwei-2020-14/feed.xml'), 'utf8'));
    expect(item.problems).toEqual([]);
    expect(item.feed!.entries.filter((e) => e.category === '验收销号公示')).toHaveLength(2);
    const unit = checkAtom(readFileSync(join(dist, 'regions/gansu-wuwei/feed.xml'), 'utf8'));
    expect(unit.feed!.entries.map((e) => e.category)).toContain('典型案例');
  });

  it('charts summary-only figures where summaries give them at two dates, with the table, each date citing its source, apart from item counts', () => {
    for (const path of ['inspections/central-1-gansu', 'progress', 'regions/gansu-wuwei']) {
      const html = page(path);
      const start = html.indexOf('data-summary-history');
      expect(start, path).toBeGreaterThan(0);
      const block = html.slice(start, html.indexOf('</section>', start));
      expect(text(block), path).toContain('不是本站逐项收录任务的统计');
      const table = /<caption>([^<]*来源汇总数字[^<]*)<\/caption>([\s\S]*?)<\/table>/.exec(block)!;
      expect(table[1]).toMatch(/^甘肃省第一轮中央环境保护督察 · 武威市：来源汇总数字（截至各日期，单位：项）$/);
      const rows = [...table[2]!.matchAll(/<tr><th scope="row">([^<]+)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => [m[1], text(m[2]!).trim()]);
      expect(rows.map((r) => r[0])).toEqual(['2020年7月30日', '2020年12月31日']);
      // 总数, 基本完成, 未完成, 达到序时进度, 已完成 (not given in July), 计为完成; then the source of each date.
      expect(rows[0]![1]).toMatch(/^19 项 11 项 3 项 5 项 — 11 项 《[^》]+》 ?，附件 第六项 整改措施$/);
      expect(rows[1]![1]).toMatch(/^19 项 11 项 1 项 4 项 3 项 14 项 《【合成测试数据】[^》]+》 ?，六$/);
      expect(table[2]).toMatch(/<th scope="col" class="num">计为完成（按本站口径）<\/th>/);
      expect(table[2]).toContain('href="/sources/');
    }
    // Two assessments of one reporting request: the number of regions per outcome at each, each citing its notice.
    for (const path of ['reporting', 'reporting/gansu-2020-clean-heating-verification']) {
      const html = page(path);
      const table = /<caption>甘肃省住房和城乡建设厅：核查核实城乡居民清洁取暖改造数据并上报——各次通报所列上报结果（地区数）<\/caption>([\s\S]*?)<\/table>/.exec(html);
      expect(table, path).not.toBeNull();
      const rows = [...table![1]!.matchAll(/<tr><th scope="row">([^<]+)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => `${m[1]} ${text(m[2]!).trim()}`);
      expect(rows[0]).toMatch(/^2020年9月15日 3 个 9 个 2 个 1 个 《[^》]+》/);
      expect(rows[1]).toMatch(/^2020年10月20日 2 个 1 个 0 个 0 个 《【合成测试数据】[^》]+》 ?，七$/);
    }
    // The real content has no subject summarised, nor a request assessed, at two dates: no such chart.
    for (const path of ['progress', 'reporting', 'inspections/central-1-gansu']) expect(readFileSync(`dist/client/${path}/index.html`, 'utf8'), path).not.toContain('data-summary-history');
  });

  it('carries an earlier snapshot forward byte for byte, chains the new one to it, and says what changed between them', () => {
    const first = readFileSync(join(dist, 'data/snapshots/2020-08-01', MANIFEST), 'utf8');
    expect(JSON.parse(first).previous).toBeNull();
    const earlier = readFileSync(join(dist, 'data/snapshots/2021-01-01', MANIFEST), 'utf8');
    expect(JSON.parse(earlier).previous).toBe(firstSha);
    const latest = JSON.parse(readFileSync(join(dist, `data/snapshots/${AS_OF}`, MANIFEST), 'utf8'));
    expect(latest.previous).toBe(earlierSha);
    const run = spawnSync('node_modules/.bin/tsx', ['scripts/verify-snapshots.ts', dist], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('3 个快照');
    const data = text(page('data'));
    expect(data).toMatch(/2021年1月15日 [0-9a-f]{64} 15 状态变化 1 项： ?武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案 第12项/);
    expect(data).toContain('首个快照');
  });

  it('says on each corrected page how many corrections it had, with date, what and source, linked to the log; nothing elsewhere', () => {
    const item = page('items/wuwei-2020-10');
    const note = item.slice(item.indexOf('data-corrections'), item.indexOf('</ul>', item.indexOf('data-corrections')));
    expect(item).toContain('data-corrections="2"');
    expect(text(note)).toContain('本页已更正 2 处');
    // Oldest first, each with its date, text, source and a link to its entry in /corrections/.
    expect(text(note)).toMatch(/2021年1月5日：已将整改时限更正为2021年12月31日。（依据：武办字〔2020〕47号； 更正记录 E2021-000001 ）.*2021年1月12日：已将责任单位/);
    expect(note).toContain('href="/corrections/#E2021-000001"');
    expect(page('cases/jilin-backdated-deadline')).toContain('data-corrections="1"');
    expect(page('items/wuwei-2020-11')).not.toContain('data-corrections');
  });
});

describe('comparing any two snapshots of the fixture site', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // The fixture's own build served as `npm start` serves dist/: its static files and its server entry.
    server = await startServer({ DIST_DIR: dist, ASTRO_SERVER_ENTRY: join(out, 'server', 'entry.mjs') });
  }, 60_000);
  afterAll(() => server?.stop());
  const get = (query: string) => fetch(`${server.url}/changes/${query}`).then(async (res) => ({ status: res.status, html: await res.text(), cache: res.headers.get('Cache-Control') }));

  it('writes the history of every item across the three snapshots, one entry per change', () => {
    const history = JSON.parse(readFileSync(join(dist, 'data/snapshots/history.json'), 'utf8')) as SnapshotHistory;
    expect(history.dates).toEqual(['2020-08-01', '2021-01-01', AS_OF]);
    expect(history.items['wuwei-2020-12']!.v.map((v) => v[0])).toEqual([0, 1, 2]);
    // Not part of the hash chain: verify:snapshots (run above) lists dated folders only.
  });

  it('offers the choice of any two snapshots on the open-data page, as a form that works without JavaScript', () => {
    const html = page('data');
    expect(html).toMatch(/<form method="get" action="\/changes\/"/);
    const options = [...html.matchAll(/<option value="(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]);
    expect(options).toEqual([AS_OF, '2021-01-01', '2020-08-01', AS_OF, '2021-01-01', '2020-08-01']);
  });

  it('lists what changed between the first and the middle snapshot: a status and two moved deadlines, each linked', async () => {
    const { status, html, cache } = await get('?from=2020-08-01&to=2021-01-01');
    expect(status).toBe(200);
    expect(cache).toBe('public, max-age=300');
    expect(markupProblems(html)).toEqual([]);
    const changed = (key: string) => text(html.slice(html.indexOf(`data-changed="${key}"`), html.indexOf('</section>', html.indexOf(`data-changed="${key}"`))));
    expect(changed('status')).toMatch(/状态变化 1 项 .*第12项 ?：未公开进展 → 达到序时进度（2020年9月）/);
    expect(html).toContain('<a href="/items/wuwei-2020-12/">');
    expect(changed('deadline')).toContain('第9项');
    expect(changed('deadline')).toContain('第11项');
    expect(html).toContain('<a href="/items/wuwei-2020-09/">');
    // The chosen dates stay selected.
    expect(html).toMatch(/<select id="f-from" name="from"[^>]*>[\s\S]*?<option value="2020-08-01" selected/);
    // Between the middle and the last snapshot only item 12's status changed (completed on 2021-01-10).
    const later = await get(`?from=2021-01-01&to=${AS_OF}`);
    expect(later.html).not.toContain('data-changed="deadline"');
    expect(text(later.html)).toMatch(/达到序时进度（2020年9月） → 已完成（2021年1月10日）/);
  });

  it('shows the comparison, the open-data form, the summary charts and the corrected pages axe-clean and fitting a 390 px phone', async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      const tab = await context.newPage();
      for (const path of ['/changes/?from=2020-08-01&to=2021-01-01', '/changes/?from=2021-01-01&to=2021-01-01', '/data/', '/inspections/central-1-gansu/', '/progress/', '/reporting/gansu-2020-clean-heating-verification/', '/items/wuwei-2020-10/', '/cases/jilin-backdated-deadline/']) {
        await tab.goto(server.url + path);
        expect(await axeViolations(tab), path).toEqual([]);
        expect(await phoneProblems(tab), path).toEqual([]);
      }
      // The summary chart draws its canvas from the table's numbers when JavaScript runs.
      await tab.goto(`${server.url}/progress/`);
      const canvas = tab.locator('[data-summary-history] canvas');
      await canvas.scrollIntoViewIfNeeded();
      await tab.waitForFunction(() => (document.querySelector('[data-summary-history] canvas') as HTMLCanvasElement | null)?.dataset.drawn === '1');
      expect(JSON.parse((await canvas.getAttribute('data-chart'))!).series.map((x: { label: string }) => x.label)).toEqual(['涉及武威市的问题（总数）', '基本完成', '未完成', '达到序时进度', '已完成', '计为完成（按本站口径）']);
      await context.close();
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('refuses an unknown date, the same date twice and a reversed pair with the error summary and the message beside the field (400)', async () => {
    for (const [query, field, message] of [
      ['?from=2020-12-31&to=2021-01-01', 'from', '没有2020年12月31日的快照'],
      ['?from=2021-01-01&to=2021-01-01', 'to', '两个快照都是2021年1月1日的'],
      [`?from=${AS_OF}&to=2020-08-01`, 'from', '请对调两个日期'],
    ] as const) {
      const { status, html, cache } = await get(query);
      expect(status, query).toBe(400);
      expect(cache).toBe('no-store');
      expect(markupProblems(html), query).toEqual([]);
      expect(html, query).toMatch(new RegExp(`<div class="error-summary" role="alert" tabindex="-1">[\\s\\S]*<a href="#f-${field}">[^<]*${message}`));
      expect(html, query).toMatch(new RegExp(`id="f-${field}-error"[^>]*>[\\s\\S]*?${message}`));
      expect(html, query).toMatch(/<title>错误：/);
      expect(html, query).not.toContain('data-comparison');
    }
  });
});
