/** The built site in dist/client/: every page there, clean HTML for the CSP, open data that reproduces the dashboard. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { htmlFiles } from '../support/html-files.ts';
import { getPortal } from '../../src/content/portal.ts';
import { TABLES } from '../../src/site/opendata.ts';

const page = (path: string) => readFileSync(join('dist/client', path, 'index.html'), 'utf8');
const figure = (html: string, name: string) => new RegExp(`data-figure="${name}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

describe('built pages', () => {
  const portal = getPortal();
  const files = htmlFiles('dist/client');

  it('has a page for every item, plan, inspection, region, unit, case and reporting round', () => {
    for (const i of portal.items) expect(statSync(`dist/client/items/${i.item.id}/index.html`).isFile()).toBe(true);
    for (const [dir, list] of [
      ['plans', portal.content.plans], ['inspections', portal.content.inspections], ['regions', portal.content.regions],
      ['units', portal.content.units], ['cases', portal.content.cases], ['reporting', portal.content.reportingRounds],
    ] as const) {
      for (const r of list) expect(statSync(`dist/client/${dir}/${r.id}/index.html`).isFile()).toBe(true);
    }
    for (const p of ['methodology', 'data', 'sources', 'progress']) expect(page(p)).toContain('<h1>');
  });

  it('marks every page zh-CN and contains no server error text', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const html = readFileSync(f, 'utf8');
      expect(html, f).toContain('<html lang="zh-CN">');
      expect(html, f).not.toMatch(/Internal Server Error|undefined|\[object Object\]|NaN/);
    }
  });

  it('ships no inline script or style, so the CSP needs no unsafe-inline', () => {
    for (const f of files) {
      const html = readFileSync(f, 'utf8');
      expect(html, f).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, f).not.toMatch(/<style[\s>]|\sstyle="/);
    }
  });

  it('shows the as-of date and item text on the item page, readable without JavaScript', () => {
    const html = page('items/wuwei-2020-07');
    expect(html).toContain('污水管网建设和污水处理厂提标改造等整改工作进展缓慢');
    expect(html).toContain('费生云');
    expect(html).toContain('逾期未报');
    expect(html).toContain(`datetime="${portal.asOf}"`);
    // The only script is the one that fills the live complaints section (tests/build/item-complaints.test.ts);
    // everything above is in the HTML, and the section has its plain link without it.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([expect.stringMatching(/^<script type="module" src="\/_astro\/LiveSections\.[^"]+\.js">$/)]);
  });

  it('shows the amendment of item 10 side by side with the changed text marked', () => {
    const html = page('items/wuwei-2020-10');
    expect(html).toContain('class="diff"');
    expect(html).toMatch(/<ins>凉州<\/ins>城<ins>区<\/ins>|<ins>凉州城区<\/ins>/);
    expect(html).toContain('甘整改函〔2020〕16号');
  });
});

describe('honest categories and citations on the built pages', () => {
  it('shows a legend beside the badges, linking to the definitions', () => {
    const html = page('');
    expect(html).toMatch(/<details class="legend" open>/);
    for (const anchor of ['#status-undisclosed', '#def-overdue-unreported', '#deadline-undisclosed', '#deadline-no-end']) expect(html).toContain(`/methodology/${anchor}`);
    const methodology = page('methodology');
    for (const id of ['status-undisclosed', 'def-overdue-unreported', 'deadline-undisclosed', 'deadline-no-end', 'contradictions', 'clocks']) expect(methodology).toContain(`id="${id}"`);
  });

  it('says what the headline figures rest on and how much of each inspection the portal holds', () => {
    const html = page('');
    expect(html).toContain('12 项到期任务均无公开进展');
    expect(html).not.toContain('无期限任务（长期坚持等）');
    expect(html).toMatch(/data-coverage="central-1-gansu"[^>]*>[^<]*来源称甘肃省共 62 项，本站收录其中 19 项/);
  });

  it('shows self-contradicting source text with both readings quoted', () => {
    const html = page('items/wuwei-2017-02');
    expect(html).toContain('来源自相矛盾');
    expect(html).toContain('<q>未完成整改的3项</q>');
    expect(html).toContain('<q>第2项、19项问题整改措施已全部落实,完成整改</q>');
  });

  it('never prints the placeholder issuer or an unknown date as a fact', () => {
    const cite = /<p class="cite">([^<]*)<\/p>/.exec(page('items/wuwei-2017-02'))![1]!;
    expect(cite).toContain('武办字〔2020〕47号');
    expect(cite).toContain('附件 第六项');
    expect(cite).not.toContain('武办发〔2017〕90号');
    expect(page('plans/wuwei-2017')).not.toMatch(/<dd>武威市<\/dd>/);
    expect(page('inspections')).not.toContain('未公开印发');
    for (const f of htmlFiles('dist/client')) expect(readFileSync(f, 'utf8'), f).not.toMatch(/class="source"[^]*?，未公开[，。]/);
  });
});

describe('open data', () => {
  const portal = getPortal();
  const csv = (name: string) => readFileSync(`dist/client/data/${name}.csv`, 'utf8');
  const rows = (name: string) => parse(csv(name), { bom: true, columns: true }) as Record<string, string>[];

  it('writes every table as CSV with a BOM and as JSON with the same rows', () => {
    for (const t of TABLES) {
      expect(csv(t.name).startsWith('\uFEFF')).toBe(true);
      const json = JSON.parse(readFileSync(`dist/client/data/${t.name}.json`, 'utf8'));
      expect(json.rows).toHaveLength(rows(t.name).length);
      expect(Object.keys(rows(t.name)[0] ?? {})).toEqual(Object.keys(t.columns));
    }
  });

  it('lets anyone reproduce the dashboard figures from items.csv by the published rules', () => {
    const items = rows('items');
    expect(items).toHaveLength(portal.items.length);
    const yes = (r: Record<string, string>, k: string) => r[k] === '是';
    const pct = (n: number, d: number) => (d === 0 ? '—' : `${Math.round((n / d) * 1000) / 10}%`);
    const due = items.filter((r) => r.on_time_current !== '');
    const html = page('');
    expect(figure(html, 'completion')).toBe(pct(items.filter((r) => yes(r, 'done')).length, items.length));
    expect(figure(html, 'on-time')).toBe(pct(due.filter((r) => yes(r, 'on_time_current')).length, due.length));
    expect(figure(html, 'overdue')).toBe(`${items.filter((r) => yes(r, 'overdue_current')).length} 项`);
    expect(figure(html, 'overdue-unreported')).toBe(String(items.filter((r) => yes(r, 'overdue_unreported')).length));
    expect(figure(html, 'disclosure')).toBe(pct(items.filter((r) => yes(r, 'disclosed')).length, items.length));
    // Items without a due date, each reason counted apart: 时限未公开 is never 无期限.
    expect(figure(html, 'deadline-undisclosed')).toBe(String(items.filter((r) => r.deadline_category === '时限未公开').length));
    expect(figure(html, 'deadline-no-end')).toBe(String(items.filter((r) => r.deadline_category === '无期限').length));
    expect(items.filter((r) => r.deadline_category === '时限未公开').length).toBe(19);
  });

  it('publishes an Atom feed with the amendments as entries', () => {
    const feed = readFileSync('dist/client/feed.xml', 'utf8');
    expect(feed).toMatch(/^<\?xml[^>]*\?>\s*<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    expect(feed.match(/<entry>/g)!.length).toBeGreaterThanOrEqual(4 + 19);
    expect(feed).toContain('修改整改时限');
  });
});

describe('sharing metadata', () => {
  it('every page names its canonical address and carries og:title, og:description and og:url for shared links', () => {
    // The 404 page is served at any missing address: it has no address of its own to name.
    const files = htmlFiles('dist/client').filter((f) => !f.endsWith('/404.html'));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const html = readFileSync(f, 'utf8');
      // The path the file is served at: dist/client/items/x/index.html → /items/x/; 404.html keeps its name.
      const path = `/${f.slice('dist/client/'.length).replace(/index\.html$/, '')}`;
      const canonical = /<link rel="canonical" href="([^"]+)"/.exec(html)?.[1];
      expect(canonical, f).toBe(new URL(path, 'http://127.0.0.1:4321').href);
      expect(html, f).toContain(`<meta property="og:url" content="${canonical}"`);
      expect(/<meta property="og:title" content="[^"]+"/.test(html), f).toBe(true);
      expect(/<meta property="og:description" content="[^"]{10,}"/.test(html), f).toBe(true);
    }
  });
});
