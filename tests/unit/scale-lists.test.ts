/**
 * What keeps pages and files bounded at a country's scale without changing what they say:
 * charts gathered by period past MAX_POINTS dates, each item assessed again only where its
 * assessment can change (the same points as assessing every date), open data written in parts
 * (the same bytes as one JSON.stringify), and people/sources linked to their page of a paged index.
 */
import { describe, expect, it } from 'vitest';
import { assessItemAt, getPortal } from '../../src/content/portal.ts';
import { coarsen, MAX_POINTS } from '../../src/domain/timeline.ts';
import { itemSteps, stepAt } from '../../src/site/plan-progress.ts';
import { jsonBytes } from '../../src/site/opendata.ts';
import { indexPage, INDEX_PAGE_SIZE, pageOf, searchItemsBy, sourceEntry } from '../../src/site/lists.ts';
import { personHref, peopleOf, PEOPLE_PER_PAGE } from '../../src/site/people.ts';

describe('progress charts past MAX_POINTS dates', () => {
  it('keep a short timeline as it is', () => {
    const events = new Map([['2020-01-05', ['公开状态']], ['2020-02-01', ['方案修改']]]);
    expect(coarsen(events, '2021-01-01')).toBe(events);
  });

  it('gather many dates by month (then quarter, then year), ending each period on its last day or the as-of date', () => {
    const events = new Map<string, string[]>();
    for (let d = 0; d < 200; d++) {
      const date = new Date(Date.UTC(2020, 0, 1 + d * 3)).toISOString().slice(0, 10);
      events.set(date, [d % 2 ? '公开状态' : '前一日有任务到期']);
    }
    const asOf = '2021-08-15';
    const out = coarsen(events, asOf);
    expect(out.size).toBeLessThanOrEqual(MAX_POINTS);
    expect([...out.keys()]).toContain('2020-01-31');
    expect(out.get('2020-01-31')).toEqual(['期间有任务到期', '公开状态']);
    expect([...out.keys()].every((d) => d <= asOf)).toBe(true);
    // 6 years of daily events: 72 months are too many, 24 quarters fit.
    const daily = new Map<string, string[]>();
    for (let d = 0; d < 6 * 365; d++) daily.set(new Date(Date.UTC(2016, 0, 1 + d)).toISOString().slice(0, 10), ['公开状态']);
    expect([...coarsen(daily, '2021-12-31').keys()].slice(0, 2)).toEqual(['2016-03-31', '2016-06-30']);
  });

  it('assess each item at every chart date exactly as assessing it at that date would', () => {
    const portal = getPortal();
    const dates: string[] = [];
    for (let y = 2017; y <= 2026; y++) for (const md of ['-01-01', '-03-31', '-06-30', '-07-31', '-12-31']) dates.push(`${y}${md}`);
    for (const p of portal.items) {
      const steps = itemSteps(p, portal.asOf);
      const fast = dates.map((d) => steps.assessments[stepAt(steps.from, d, portal.asOf)]);
      expect(fast, p.item.id).toEqual(dates.map((d) => assessItemAt(p, d, portal.asOf)));
    }
  });
});

describe('open data written in parts', () => {
  it('gives the bytes of JSON.stringify(…, null, 1)', () => {
    const rows = Array.from({ length: 4500 }, (_, k) => ({ id: `x-${k}`, text: k % 3 ? '“引号”\n换行' : null, n: k, nested: { a: [1, { b: '二' }] } }));
    const head = { table: 'items', title: '整改任务', columns: { id: '编号', text: '文本' } };
    expect(jsonBytes(head, { rows }).toString('utf8')).toBe(JSON.stringify({ ...head, rows }, null, 1));
    expect(jsonBytes(head, { rows: [] }).toString('utf8')).toBe(JSON.stringify({ ...head, rows: [] }, null, 1));
    expect(jsonBytes({}, { a: [1], b: [] }).toString('utf8')).toBe(JSON.stringify({ a: [1], b: [] }, null, 1));
  });
});

describe('paged indexes and long lists', () => {
  it('page 1 is the index itself, later pages under p/', () => {
    expect(indexPage('units', 1)).toBe('/units/');
    expect(indexPage('units', 3)).toBe('/units/p/3/');
    const rows = Array.from({ length: INDEX_PAGE_SIZE.sources * 2 + 1 }, (_, k) => ({ id: `s${k}` }));
    expect(pageOf('sources', rows, 3).rows).toEqual([rows.at(-1)]);
    expect(pageOf('sources', rows, 2).pager).toEqual({ page: 2, pages: 3, prev: '/sources/', next: '/sources/p/3/' });
    expect(sourceEntry(rows, 's0')).toBe('/sources/#s0');
    expect(sourceEntry(rows, `s${INDEX_PAGE_SIZE.sources}`)).toBe(`/sources/p/2/#s${INDEX_PAGE_SIZE.sources}`);
  });

  it('links a facet to the search page that lists all its items without a query', () => {
    expect(searchItemsBy('region', 'gansu-wuwei')).toBe('/search/?kind=item&region=gansu-wuwei');
  });

  it('links a person to their page of /people/ (the real content fits on page 1)', () => {
    const portal = getPortal();
    const people = peopleOf(portal);
    expect(people.length).toBeLessThanOrEqual(PEOPLE_PER_PAGE);
    expect(personHref(portal, 'leader', '王琳玺')).toBe(`/people/#${encodeURIComponent('leader-王琳玺')}`);
  });
});
