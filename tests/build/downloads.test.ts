/** More ways in: CSV and JSON of each unit's, region's, plan's and group's rows, JSON of each item, group pages and anchors, the 责任领导/责任人员 view. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { TABLES } from '../../src/site/opendata.ts';

const portal = getPortal();
const read = (path: string) => readFileSync(join('dist/client', path), 'utf8');
const csvRows = (path: string) => parse(read(path), { bom: true, columns: true }) as Record<string, string>[];
const allRows = new Map(csvRows('data/items.csv').map((r) => [r.id!, r]));
const columns = Object.keys(TABLES.find((t) => t.name === 'items')!.columns);

const pages: [string, string[]][] = [
  ...portal.content.units.map((u) => [`units/${u.id}/`, (portal.itemsBy.responsibleUnit.get(u.id) ?? []).map((i) => i.item.id)] as [string, string[]]),
  ...portal.content.regions.map((r) => [`regions/${r.id}/`, (portal.itemsBy.region.get(r.id) ?? []).map((i) => i.item.id)] as [string, string[]]),
  ...portal.content.plans.map((p) => [`plans/${p.id}/`, (portal.itemsBy.plan.get(p.id) ?? []).map((i) => i.item.id)] as [string, string[]]),
  ...portal.content.plans.flatMap((p) => p.groups.map((g) => [`plans/${p.id}/groups/${g.id}/`, portal.items.filter((i) => i.plan.id === p.id && i.item.group === g.id).map((i) => i.item.id)] as [string, string[]])),
];

describe('per-page downloads', () => {
  it.each(pages)('%s offers its own rows as CSV and JSON, the same as in /data/items.csv', (page, ids) => {
    const rows = csvRows(`${page}items.csv`);
    expect(rows.map((r) => r.id)).toEqual(ids);
    if (rows.length) expect(Object.keys(rows[0]!)).toEqual(columns);
    for (const r of rows) expect(r).toEqual(allRows.get(r.id!));
    const json = JSON.parse(read(`${page}items.json`));
    expect(json.rows.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(json.asOf).toBe(portal.asOf);
    if (ids.length) expect(read(`${page}index.html`)).toContain(`href="/${page}items.csv"`);
  });

  it('publishes every item as JSON: the verbatim record, its current text, the assessment and the cite line', () => {
    for (const p of portal.items) {
      const json = JSON.parse(read(`items/${p.item.id}/item.json`));
      expect(json.record).toEqual(JSON.parse(JSON.stringify(p.item)));
      expect(Object.keys(json.summary)).toEqual(columns);
      expect(json.assessment.deadlineCategory.current).toBe(p.assessment.deadlineCategory.current);
      expect(json.citation).toContain(p.item.id);
    }
    const ten = JSON.parse(read('items/wuwei-2020-10/item.json'));
    expect(ten.currentParts[0].target).toMatch(/^凉州城区/);
    expect(ten.record.parts[0].target).toMatch(/^城市环境空气质量/);
  });
});

describe('groups and people', () => {
  it('gives each group of a plan a page and an anchor on the plan page', () => {
    const plan = read('plans/wuwei-2020/index.html');
    for (const g of portal.plan('wuwei-2020')!.groups) {
      expect(plan).toContain(`id="group-${g.id}"`);
      expect(plan).toContain(`href="/plans/wuwei-2020/groups/${g.id}/"`);
      expect(statSync(`dist/client/plans/wuwei-2020/groups/${g.id}/index.html`).isFile()).toBe(true);
    }
    expect(read('plans/wuwei-2020/groups/special/index.html')).toContain('专项督察整改措施清单（8项）');
  });

  it('lists every named leader and person with their items: 王琳玺 is the named leader of 7 items', () => {
    const html = read('people/index.html');
    const section = html.slice(html.indexOf('id="leader-王琳玺"'), html.indexOf('</section>', html.indexOf('id="leader-王琳玺"')));
    expect(section).toContain('王琳玺作为责任领导的任务（7 项）');
    expect(read('items/wuwei-2020-17/index.html')).toContain(`href="/people/#${encodeURIComponent('leader-王琳玺')}"`);
  });
});
