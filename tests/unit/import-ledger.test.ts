/**
 * Status ledgers: header mapping, statuses read with the portal's vocabulary,
 * the all-or-nothing transaction with row and column in every error, CSV in
 * UTF-8 or GB18030, XLSX, and the template round trip through
 * `export ledger` and `import ledger` (in a temporary copy of content/).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkContent } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { EXIT, exportLedger, importLedger } from '../../src/import/commands.ts';
import { formatLedgerError, mapHeader, parseItemRef, parseLedgerDate, readLedger, type Cell } from '../../src/import/ledger.ts';
import { decodeText, parseCsv, readTable, toCsv } from '../../src/import/ledger-file.ts';
import { FIXTURES, recorder, tempContent } from '../fixtures/import/helpers.ts';

const { content: real } = loadContent();
// A ledger is a document of its own: the tests register one.
const LEDGER_SOURCE = { id: 'wuwei-2021-ledger', title: '武威市督察整改台账（测试）', issuers: ['武威市生态环境保护督察整改办公室'], issued: '2021-03-31', script: 'simplified' as const };
const content = { ...real, sources: [...real.sources, LEDGER_SOURCE] };
const options = { planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger', date: '2021-03-31' };
const read = (rows: Cell[][], o: Partial<typeof options> = {}) => readLedger(rows, content, { ...options, ...o });

describe('ledger columns and cells', () => {
  it('maps the usual column names, in either width, with notes in brackets', () => {
    expect(mapHeader(['序号', '问题编号', '问题', '整改时限', '责任单位', '进展情况', '完成情况', '整改状态', '截至日期', '分项', '备注', '联系人'])).toEqual([
      'ref', 'ref', 'problem', 'deadline', 'units', 'progress', 'status', 'status', 'date', 'part', 'remark', undefined,
    ]);
    expect(mapHeader(['序 号', '完成情况（必填）', '整改进展情况'])).toEqual(['ref', 'status', 'progress']);
  });
  it('reads item references and dates in their usual forms', () => {
    expect(['7', '第七项', '第7项', '十七(一)', '17（二）', '17-2', 'wuwei-2020-07', '七项?'].map((r) => parseItemRef(r, 'wuwei-2020'))).toEqual([
      { number: 7 }, { number: 7 }, { number: 7 }, { number: 17, part: '一' }, { number: 17, part: '二' }, { number: 17, part: '2' }, { id: 'wuwei-2020-07' }, undefined,
    ]);
    expect(['2021-03-31', '2021/3/31', '2021.3.31', '2021年3月31日', '2021年3月', '2021-02-30', '三月'].map(parseLedgerDate)).toEqual([
      '2021-03-31', '2021-03-31', '2021-03-31', '2021-03-31', '2021-03', undefined, undefined,
    ]);
  });
});

describe('reading a ledger', () => {
  it('finds the header below title rows and reads each filled row into a status entry', () => {
    const r = read([
      ['武威市督察整改台账', null],
      ['填报单位：市整改办', null],
      ['问题编号', '反馈问题', '整改状态', '进展情况', '分项'],
      ['第七项', '污水管网……', '已完成', '古浪县污水处理厂提标改造工程已建成投运。', ''],
      ['17', '', '达到时序进度', '', '（二）'],
      ['12', '', '基本完成整改', '', ''],
      ['13', '', '', '', ''],
    ]);
    expect(r.errors).toEqual([]);
    expect(r.headerRow).toBe(3);
    expect(r.emptyRows).toEqual([7]);
    expect(r.entries.map((e) => [e.item, e.row, e.entry.status, e.entry.part])).toEqual([
      ['wuwei-2020-07', 4, 'completed', undefined],
      ['wuwei-2020-17', 5, 'on-schedule', '(二)'],
      ['wuwei-2020-12', 6, 'basically-completed', undefined],
    ]);
    expect(r.entries[0]!.entry).toEqual({
      date: '2021-03-31',
      status: 'completed',
      note: '古浪县污水处理厂提标改造工程已建成投运。',
      evidence: 'self-reported',
      source: { doc: 'wuwei-2021-ledger', locator: '台账 第4行' },
    });
  });

  it('rejects the whole file when any row is bad, naming row and column of each error', () => {
    const r = read([
      ['序号', '完成情况', '进展情况', '日期', '证据类型'],
      ['7', '已完成', '', '', ''],
      ['99', '已完成', '', '', ''],
      ['8', '进行中', '', '', ''],
      ['9', '', '只有进展', '', ''],
      ['10', '已完成', '', '2021-02-30', ''],
      ['11', '已完成', '', '', '听说'],
      ['第七项', '已完成', '', '', ''],
      ['17(三)', '已完成', '', '', ''],
    ]);
    expect(r.entries).toEqual([]);
    expect(r.errors.map(formatLedgerError)).toEqual([
      '第3行“序号”列（A）：方案 wuwei-2020 中没有第99项',
      '第4行“完成情况”列（B）：无法识别的完成情况“进行中”（可填：已销号、已完成、基本完成、达到序时进度、长期坚持、未达到序时进度、未完成）',
      '第5行“完成情况”列（B）：有进展情况但缺少完成情况',
      '第6行“日期”列（D）：无法识别的日期“2021-02-30”（应为 2021-03-31 或 2021年3月31日）',
      '第7行“证据类型”列（E）：无法识别的证据类型“听说”（可填：自报、单位自报、自查、现场核查、实地核查、现场检查、第三方、第三方评估、监测数据、监测）',
      '第8行“序号”列（A）：与第2行是同一项',
      '第9行“序号”列（A）：wuwei-2020-17 没有分项“三”（有：(一)、(二)）',
    ]);
  });

  it('needs a header, a date and a registered source', () => {
    expect(read([['甲', '乙'], ['1', '已完成']]).errors.map(formatLedgerError)).toEqual(['第1行：没有找到表头：需要“序号/问题编号/编号/问题序号/任务编号/项目编号/项号/问题号”列和“完成情况/整改状态/状态/整改完成情况/完成状态/是否完成/整改结果”列']);
    expect(readLedger([['序号', '完成情况'], ['1', '已完成']], content, { planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger' }).errors.map(formatLedgerError)).toEqual([
      '第1行：台账没有日期列；请用 --date YYYY-MM-DD 给出这些进展的日期',
    ]);
    expect(read([['序号', '完成情况'], ['1', '已完成']], { sourceDoc: 'no-such-doc' }).errors[0]!.message).toMatch(/^来源 no-such-doc 不在 content\/sources.yaml 中/);
  });

  it('notes reference columns that disagree with the item (a wrong 序号, or an amendment not in content)', () => {
    const r = read([
      ['序号', '问题', '整改时限', '责任单位', '完成情况'],
      ['10', '2018年部分城市环境空气质量与2017年相比出现反弹', '2021年年底前', '各县区政府,市大气水土壤污染防治工作领导小组成员单位', '已完成'],
      ['6', '结构调整力度不足。', '', '', '已完成'],
    ]);
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([
      '仅供对照、不导入的列：“问题”列（B）、“整改时限”列（C）、“责任单位”列（D）',
      '第2行“整改时限”列（C）“2021年年底前”与 wuwei-2020-10 的整改时限“2020年年底前”不同（如有调整，应作为修改通知导入）',
      '第3行“问题”列（B）与 wuwei-2020-06 的问题不同，请核对序号',
    ]);
  });

  it('replaces rather than repeats an entry it recorded before (same date, part and citation)', () => {
    const first = read([['序号', '完成情况'], ['7', '达到序时进度']]);
    const item = { ...content.items.find((i) => i.id === 'wuwei-2020-07')!, statusHistory: [first.entries[0]!.entry] };
    const again = readLedger([['序号', '完成情况'], ['7', '已完成']], { ...content, items: content.items.map((i) => (i.id === item.id ? item : i)) }, options);
    expect(again.entries[0]!.replaces).toBe(0);
  });
});

describe('ledger files', () => {
  it('reads CSV in UTF-8 with a BOM and in GB18030 (Excel in a Chinese locale)', () => {
    const csv = '序号,完成情况\r\n7,已完成\r\n';
    expect(parseCsv(decodeText(Buffer.from(`\ufeff${csv}`, 'utf8')))).toEqual([['序号', '完成情况'], ['7', '已完成']]);
    // "序号,完成情况\r\n7,已完成" in GB18030.
    const gbk = Buffer.from('d0f2bac52ccdeab3c9c7e9bff60d0a372cd2d1cdeab3c90d0a', 'hex');
    expect(parseCsv(decodeText(gbk))).toEqual([['序号', '完成情况'], ['7', '已完成']]);
  });

  it('reads an XLSX ledger, dates included', async () => {
    const rows = await readTable(join(FIXTURES, 'ledger.xlsx'));
    const r = read(rows, { date: undefined as unknown as string });
    expect(r.errors).toEqual([]);
    expect(r.ignoredColumns).toEqual([]);
    expect(r.notes).toEqual(['仅供对照、不导入的列：“反馈问题”列（B）、“责任单位”列（C）、“备注”列（G）']);
    expect(r.entries.map((e) => [e.item, e.row, e.entry.date, e.entry.status, e.entry.part ?? ''])).toEqual([
      ['wuwei-2020-07', 3, '2021-03-31', 'completed', ''],
      ['wuwei-2020-17', 4, '2021-03-31', 'on-schedule', '(二)'],
      ['wuwei-2020-12', 5, '2021-03-31', 'basically-completed', ''],
    ]);
  });

  it('writes CSV with a BOM and Excel line ends, quoting what needs it', () => {
    expect(toCsv([['序号', '问题'], ['1', '甲,乙“丙”']])).toBe('\ufeff序号,问题\r\n1,"甲,乙“丙”"\r\n');
  });
});

describe('export ledger and import ledger on content/', () => {
  let temp: ReturnType<typeof tempContent>;
  afterEach(() => temp.done());

  it('round-trips the template: filled rows become status entries, with a dry run first and no change on re-import', async () => {
    temp = tempContent();
    appendFileSync(join(temp.root, 'sources.yaml'), '- id: wuwei-2021-ledger\n  title: 武威市督察整改台账（测试）\n  issuers: [武威市生态环境保护督察整改办公室]\n  issued: 2021-03-31\n  script: simplified\n');
    const file = join(temp.root, '..', 'ledger.csv');
    const out = recorder();
    expect(exportLedger({ root: temp.root, planId: 'wuwei-2020', out: file, asOf: '2021-01-01' }, out)).toBe(EXIT.ok);
    expect(out.lines[0]).toBe(`已写出台账模板 ${file}：18 行（列：序号、分项、问题、整改时限、责任单位、完成情况、进展情况、日期）。`);
    const rows = parseCsv(decodeText(readFileSync(file)));
    // Item 10's deadline row shows the text in force; item 17 has a row per part.
    expect(rows.filter((r) => r[0] === '17').map((r) => r[1])).toEqual(['(一)', '(二)']);
    expect(rows.find((r) => r[0] === '6')![3]).toMatch(/^2020年年底前,按照自然资源部/);
    rows.find((r) => r[0] === '7')!.splice(5, 3, '已完成', '古浪县污水处理厂提标改造工程已建成投运。', '2021-03-31');
    rows.find((r) => r[0] === '17' && r[1] === '(二)')!.splice(5, 3, '达到序时进度', '', '2021年3月31日');
    writeFileSync(file, toCsv(rows));

    const item7 = join(temp.root, 'items/wuwei-2020/07.yaml');
    const before = readFileSync(item7, 'utf8');
    const dry = recorder();
    expect(await importLedger(file, { root: temp.root, planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger' }, dry)).toBe(EXIT.ok);
    expect(dry.lines).toContain('~ 修改 items/wuwei-2020/07.yaml  整改任务 wuwei-2020-07');
    expect(dry.lines).toContain('    + statusHistory[0]: 2021-03-31 已完成 “古浪县污水处理厂提标改造工程已建成投运。”（wuwei-2021-ledger 台账 第8行）');
    expect(dry.lines).toContain('    + statusHistory[0]: 2021-03-31 达到序时进度 (二)（wuwei-2021-ledger 台账 第19行）');
    expect(readFileSync(item7, 'utf8')).toBe(before);

    expect(await importLedger(file, { root: temp.root, planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger', write: true }, recorder())).toBe(EXIT.ok);
    expect(parse(readFileSync(item7, 'utf8')).statusHistory).toEqual([
      { date: '2021-03-31', status: 'completed', note: '古浪县污水处理厂提标改造工程已建成投运。', evidence: 'self-reported', source: { doc: 'wuwei-2021-ledger', locator: '台账 第8行' } },
    ]);
    // Only statusHistory changed in the file; everything else is as it was.
    expect(readFileSync(item7, 'utf8').replace(/statusHistory:\n(?: {2}.*\n| {4}.*\n| {6}.*\n)+/, 'statusHistory: []\n')).toBe(before);
    expect(checkContent(temp.root)).toEqual([]);

    const again = recorder();
    expect(await importLedger(file, { root: temp.root, planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger', write: true }, again)).toBe(EXIT.ok);
    expect(again.lines).toContain('没有变化：内容已与文件一致。');
  });

  it('writes nothing when one row is bad, and says which', async () => {
    temp = tempContent();
    appendFileSync(join(temp.root, 'sources.yaml'), '- id: wuwei-2021-ledger\n  title: 台账\n  issuers: [市整改办]\n  script: simplified\n');
    const file = join(temp.root, '..', 'bad.csv');
    writeFileSync(file, toCsv([['序号', '完成情况', '日期'], ['7', '已完成', '2021-03-31'], ['8', '快完成了', '2021-03-31']]));
    const io = recorder();
    expect(await importLedger(file, { root: temp.root, planId: 'wuwei-2020', sourceDoc: 'wuwei-2021-ledger', write: true }, io)).toBe(EXIT.error);
    expect(io.lines[0]).toBe('台账有 1 处错误，整份文件未导入：');
    expect(io.lines[1]).toMatch(/^ {2}第3行“完成情况”列（B）：无法识别的完成情况“快完成了”/);
    expect(parse(readFileSync(join(temp.root, 'items/wuwei-2020/07.yaml'), 'utf8')).statusHistory).toEqual([]);
  });

  it('keeps the flow style of a file it appends to (the first-round items)', async () => {
    temp = tempContent();
    appendFileSync(join(temp.root, 'sources.yaml'), '- id: wuwei-2021-ledger\n  title: 台账\n  issuers: [市整改办]\n  script: simplified\n');
    const file = join(temp.root, '..', 'l17.csv');
    writeFileSync(file, toCsv([['序号', '完成情况', '日期'], ['31', '已销号', '2021-06']]));
    expect(await importLedger(file, { root: temp.root, planId: 'wuwei-2017', sourceDoc: 'wuwei-2021-ledger', write: true }, recorder())).toBe(EXIT.ok);
    const text = readFileSync(join(temp.root, 'items/wuwei-2017/10.yaml'), 'utf8');
    expect(text).toContain('alsoNumbers: [31]');
    expect(text).toContain('regions: [gansu-wuwei]');
    expect(text).toContain('  - date: 2021-06\n    status: signed-off\n');
  });
});
