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
import { MANIFEST, makeSnapshot, openDataFiles } from '../../src/site/snapshots.ts';

/** A snapshot kept from an earlier publication (the fixture as of 2021-01-01), to be carried forward unchanged. */
function keepEarlierSnapshot(content: string, kept: string) {
  const earlier = makeSnapshot('2021-01-01', openDataFiles(buildPortal(loadContent(content).content, '2021-01-01')), undefined);
  mkdirSync(join(kept, earlier.date), { recursive: true });
  for (const [name, bytes] of earlier.files) writeFileSync(join(kept, earlier.date, name), bytes);
  writeFileSync(join(kept, earlier.date, MANIFEST), earlier.manifestBytes);
  return earlier;
}
let earlierSha = '';

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
  earlierSha = keepEarlierSnapshot(content, kept).sha256;
  execFileSync('node_modules/.bin/astro', ['build', '--outDir', out], {
    // Astro's incremental-build cache in the fixture's temporary folder, removed with it.
    env: { ...process.env, CONTENT_DIR: content, PORTAL_AS_OF: AS_OF, SITE_URL: 'https://fixture.example', SNAPSHOTS_DIR: kept, ASTRO_CACHE_DIR: join(root, 'astro-cache') },
    stdio: 'pipe',
  });
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

  it('carries an earlier snapshot forward byte for byte, chains the new one to it, and says what changed between them', () => {
    const earlier = readFileSync(join(dist, 'data/snapshots/2021-01-01', MANIFEST), 'utf8');
    expect(JSON.parse(earlier).previous).toBeNull();
    const latest = JSON.parse(readFileSync(join(dist, `data/snapshots/${AS_OF}`, MANIFEST), 'utf8'));
    expect(latest.previous).toBe(earlierSha);
    const run = spawnSync('node_modules/.bin/tsx', ['scripts/verify-snapshots.ts', dist], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 个快照');
    const data = text(page('data'));
    expect(data).toMatch(/2021年1月15日 [0-9a-f]{64} 15 状态变化 1 项： ?武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案 第12项/);
    expect(data).toContain('首个快照');
  });
});
