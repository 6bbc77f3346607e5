/** The Atom feeds in dist/client/: one for the site and one per item, plan, unit and region, each valid against RFC 4287's required elements and linked from its page's head. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { checkAtom } from '../support/atom.ts';

const portal = getPortal();
const feeds: [string, string][] = [
  ['/', 'feed.xml'],
  ...portal.items.map((i) => [`/items/${i.item.id}/`, `items/${i.item.id}/feed.xml`] as [string, string]),
  ...portal.content.plans.map((p) => [`/plans/${p.id}/`, `plans/${p.id}/feed.xml`] as [string, string]),
  ...portal.content.units.map((u) => [`/units/${u.id}/`, `units/${u.id}/feed.xml`] as [string, string]),
  ...portal.content.regions.map((r) => [`/regions/${r.id}/`, `regions/${r.id}/feed.xml`] as [string, string]),
];
const read = (file: string) => readFileSync(`dist/client/${file}`, 'utf8');

describe('Atom feeds', () => {
  it('checks what it should: a feed without author, or with a duplicate or relative entry id, is refused', () => {
    const good = read('feed.xml');
    expect(checkAtom(good).problems).toEqual([]);
    expect(checkAtom(good.replace(/<author>.*?<\/author>/, '')).problems.join()).toContain('no author');
    const firstId = /<entry>\s*<id>([^<]+)<\/id>/.exec(good)![1]!;
    expect(checkAtom(good.replace(/(<entry>\s*<id>)[^<]+/g, `$1${firstId}`)).problems.join()).toContain('duplicate id');
    expect(checkAtom(good.replace(/(<entry>\s*<id>)[^<]+/, '$1relative')).problems.join()).toContain('absolute IRI');
    expect(checkAtom(good.replace('<updated>', '<updated>x')).problems.join()).toContain('RFC 3339');
    expect(checkAtom(good.replace('</title>', '')).problems.join()).toContain('not well-formed');
  });

  it.each(feeds)('%s has a valid feed, linked from its head', (page, file) => {
    const { problems, feed } = checkAtom(read(file));
    expect(problems).toEqual([]);
    expect(feed!.id.endsWith(page)).toBe(true);
    const html = read(`${page.slice(1)}index.html`);
    // Absolute, on the site's public address (feed readers given a page's link resolve them anyway; shared copies of a page keep them right).
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="督察整改公开平台：整改动态" href="http://127.0.0.1:4321/feed.xml">`);
    if (page !== '/') expect(html).toMatch(new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]+" href="http://127\\.0\\.0\\.1:4321${page}feed.xml">`));
  });

  it.each(feeds.filter(([page]) => page !== '/'))('%s offers e-mail subscription beside its feed', (page) => {
    const html = read(`${page.slice(1)}index.html`);
    const [, kind, id] = /^\/(items|plans|units|regions)\/([^/]+)\/$/.exec(page)!;
    const target = `${{ items: 'item', plans: 'plan', units: 'unit', regions: 'region' }[kind!]}:${id}`;
    // In the footer, right after the page's Atom link.
    expect(html).toContain(`<a href="${page}feed.xml">订阅本页动态（Atom）</a> · <a href="/follow/?target=${target}">订阅本页动态（电子邮件）</a>`);
  });

  it('carries status changes, amendments, deadlines passing, cases and reporting rounds on the site feed', () => {
    const { feed } = checkAtom(read('feed.xml'));
    const kinds = new Set(feed!.entries.map((e) => e.category));
    for (const k of ['状态变化', '方案修改', '到期未公开完成', '典型案例', '上报情况']) expect(kinds, k).toContain(k);
    expect(feed!.entries.some((e) => e.title.includes('修改整改时限'))).toBe(true);
    // Newest first.
    const dates = feed!.entries.map((e) => e.updated);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('scopes a page feed to its page: an item’s feed holds only that item’s events', () => {
    const { feed } = checkAtom(read('items/wuwei-2020-06/feed.xml'));
    expect(feed!.entries.map((e) => e.category).sort()).toEqual(['到期未公开完成', '方案修改']);
    expect(feed!.entries.every((e) => e.title.includes('第6项'))).toBe(true);
    const region = checkAtom(read('regions/gansu-tianshui/feed.xml')).feed!;
    expect(region.entries.some((e) => e.category === '上报情况')).toBe(true);
  });

  it('uses SITE_URL for every feed and entry link', () => {
    const base = (process.env.SITE_URL ?? 'http://127.0.0.1:4321').replace(/\/$/, '');
    const xml = read('plans/wuwei-2020/feed.xml');
    for (const [, href] of xml.matchAll(/href="([^"]+)"/g)) expect(href!.startsWith(`${base}/`)).toBe(true);
  });
});
