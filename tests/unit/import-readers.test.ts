/**
 * The readers one rule at a time, on small documents made here: item tables
 * (column names, merged cells, rows that run on, columns no field matches),
 * the web page reader (chrome, whitespace, line breaks), the Word reader
 * (Word's own list numbers, revisions, merged cells, places) and the PDF
 * layout (headers and footers, paragraphs from geometry, tables from rules,
 * extraction artefacts, a scan).
 */
import { AlignmentType, DeletedTextRun, Document, InsertedTextRun, LevelFormat, LevelSuffix, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { describe, expect, it } from 'vitest';
import { readDocx } from '../../src/import/docx.ts';
import { readHtml } from '../../src/import/html.ts';
import { columnOf } from '../../src/import/item-table.ts';
import { layoutPdf, NoTextLayer, type PdfPage, type Rule, type Run } from '../../src/import/pdf-layout.ts';
import { paragraphs } from '../../src/import/paragraphs.ts';
import { parsePlan } from '../../src/import/plan-text.ts';
import { describeRange, rangeFormat, type SourceDoc } from '../../src/import/source.ts';
import { unifyIdeographs } from '../../src/import/cjk-compat.ts';

const html = (body: string) => readHtml(new TextEncoder().encode(`<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`));
const NOTICE = '<p>关于印发《某市整改实施方案》的通知</p><p>各县区：</p><p>现印发给你们。</p><p>某市委办公室</p><p>2021年3月1日</p><p>附件</p><p>某市整改措施清单</p>';
const items = (doc: SourceDoc) => parsePlan(doc).items.map((i) => ({ printed: i.printed, problem: i.problem, note: i.note, parts: i.parts.map((p) => ({ label: p.label, problem: p.problem, ...p.fields, measures: p.measures.map((m) => `${m.label ?? ''}${m.text}`) })) }));

describe('item lists published as tables', () => {
  it('knows the columns by their usual names and variants', () => {
    expect(['序号', '编号', '督察反馈问题', '问题描述', '整改目标任务', '完成时间', '整改\n时限', '牵头责任单位', '市级责任领导', '责任人', '督办单位', '具体整改措施', '配合单位', '备注'].map((h) => columnOf(h))).toEqual([
      { kind: 'number' },
      { kind: 'number' },
      { kind: 'problem' },
      { kind: 'problem' },
      { kind: 'field', field: 'target' },
      { kind: 'field', field: 'deadline' },
      { kind: 'field', field: 'deadline' },
      { kind: 'field', field: 'responsibleUnits' },
      { kind: 'field', field: 'responsibleLeaders' },
      { kind: 'field', field: 'responsiblePersons' },
      { kind: 'field', field: 'supervisingUnits' },
      { kind: 'field', field: 'measures' },
      { kind: 'other', name: '配合单位' },
      { kind: 'other', name: '备注' },
    ]);
  });

  it('reads rows into items: a merged unit cell holds for each item it spans, an unknown column is skipped', () => {
    const doc = html(`${NOTICE}<table>
      <tr><th>序号</th><th>问题描述</th><th>整改目标</th><th>完成时间</th><th>牵头单位</th><th>配合单位</th><th>整改措施</th></tr>
      <tr><td colspan="7">一、例行督察问题（2项）</td></tr>
      <tr><td>1</td><td>甲问题。</td><td>甲目标。</td><td>2021年年底前</td><td rowspan="2">各县区政府</td><td>市财政局</td><td><p>(一)甲一。</p><p>(二)甲二。</p></td></tr>
      <tr><td>2</td><td>乙问题。</td><td>乙目标。</td><td>长期坚持</td><td></td><td>乙措施。</td></tr>
    </table>`);
    const plan = parsePlan(doc);
    expect(plan.unplaced).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.groups.map((g) => [g.title, g.declaredCount])).toEqual([['例行督察问题', 2]]);
    const part = { label: undefined, problem: undefined };
    expect(items(doc)).toEqual([
      { printed: '序号1', problem: '甲问题。', note: undefined, parts: [{ ...part, target: '甲目标。', deadline: '2021年年底前', responsibleUnits: '各县区政府', measures: ['(一)甲一。', '(二)甲二。'] }] },
      { printed: '序号2', problem: '乙问题。', note: undefined, parts: [{ ...part, target: '乙目标。', deadline: '长期坚持', responsibleUnits: '各县区政府', measures: ['乙措施。'] }] },
    ]);
    expect(plan.skipped.map((s) => s.reason)).toContain('表格“配合单位”列（不对应任何字段）');
    expect(plan.skipped.map((s) => s.reason)).toContain('表头');
  });

  it('reads a 序号 merged over rows as one item with parts, and a row that runs on (over a page) into the row above', () => {
    const doc = html(`${NOTICE}<table>
      <tr><th>序号</th><th>督察反馈问题</th><th>整改目标</th><th>整改时限</th><th>责任单位</th><th>整改措施</th></tr>
      <tr><td rowspan="3">第一项</td><td colspan="5"><p>乙问题。</p><p>以上问题分2个方面进行整改。</p></td></tr>
      <tr><td>(一)乙一问题。</td><td>乙一目标。</td><td>2021年6月底前</td><td>市住建局</td><td>1.乙一措施。</td></tr>
      <tr><td>(二)乙二问题。</td><td>乙二目标。</td><td>长期坚持</td><td>市生态环境局</td><td><p>1.乙二措施。</p><p>2.乙二又一项措施，</p></td></tr>
      <tr><td></td><td></td><td></td><td></td><td></td><td><p>跨页接续完。</p><p>3.乙二第三项。</p></td></tr>
    </table>`);
    expect(parsePlan(doc).unplaced).toEqual([]);
    expect(items(doc)).toEqual([
      {
        printed: '第一项',
        problem: '乙问题。',
        note: '以上问题分2个方面进行整改。',
        parts: [
          { label: '(一)', problem: '乙一问题。', target: '乙一目标。', deadline: '2021年6月底前', responsibleUnits: '市住建局', measures: ['1.乙一措施。'] },
          { label: '(二)', problem: '乙二问题。', target: '乙二目标。', deadline: '长期坚持', responsibleUnits: '市生态环境局', measures: ['1.乙二措施。', '2.乙二又一项措施，跨页接续完。', '3.乙二第三项。'] },
        ],
      },
    ]);
  });

  it('takes 第一项 in the 序号 column as printed, and a header of two rows', () => {
    const doc = html(`${NOTICE}<table>
      <tr><th rowspan="2">序号</th><th rowspan="2">反馈问题</th><th rowspan="2">整改目标</th><th colspan="2">责任主体</th><th rowspan="2">整改措施</th></tr>
      <tr><th>责任单位</th><th>责任领导</th></tr>
      <tr><td>第一项</td><td>甲问题。</td><td>甲目标。</td><td>市住建局</td><td>王某</td><td>甲措施。</td></tr>
    </table>`);
    expect(items(doc)).toEqual([{ printed: '第一项', problem: '甲问题。', note: undefined, parts: [{ label: undefined, problem: undefined, target: '甲目标。', responsibleUnits: '市住建局', responsibleLeaders: '王某', measures: ['甲措施。'] }] }]);
  });

  it('reads any other table as paragraphs, cell by cell', () => {
    const doc = html('<table><tr><td>网站导读</td><td><p>关于印发《某方案》的通知</p><p>各县区：</p></td></tr></table>');
    expect(paragraphs(doc).paragraphs.map((p) => p.raw)).toEqual(['网站导读', '关于印发《某方案》的通知', '各县区：']);
  });
});

describe('a saved web page', () => {
  it('marks menus, site headers and footers as skipped, but keeps an article’s own header', () => {
    const doc = html(`<header><div>某市人民政府</div></header>
      <div class="menu"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">政务服务</a><a href="/c">互动交流</a></div>
      <article><header><h1>关于印发《某方案》的通知</h1></header><p>各县区：</p><div style="display:none">隐藏的文字</div><script>var x = '脚本';</script></article>
      <footer><p>版权所有：某市人民政府</p></footer>`);
    expect(doc.lines.map((l) => [l.text, l.skip])).toEqual([
      ['某市人民政府', '页头'],
      ['首页政务公开政务服务互动交流', '导航链接'],
      ['关于印发《某方案》的通知', undefined],
      ['各县区：', undefined],
      ['版权所有：某市人民政府', '页脚'],
    ]);
  });

  it('joins source line breaks between Chinese characters, keeps spaces between Latin words, and lets <br> break lines', () => {
    const doc = html('<p>整改\n    目标：各污水处理厂 <b>规范</b>运行</p><p>PM2.5 and\nPM10</p><p style="text-align:right">某市委办公室<br>某市人民政府办公室<br/>2021年3月1日</p>');
    expect(doc.lines.map((l) => [l.text, l.brk])).toEqual([
      ['整改目标：各污水处理厂 规范运行', 'para'],
      ['PM2.5 and PM10', 'para'],
      ['某市委办公室', 'para'],
      ['某市人民政府办公室', undefined],
      ['2021年3月1日', undefined],
    ]);
    expect(paragraphs(doc).paragraphs.map((p) => p.raw).slice(2)).toEqual(['某市委办公室', '某市人民政府办公室', '2021年3月1日']);
    expect(rangeFormat(doc)([1, 1])).toBe('第1行');
  });

  it('decodes a page that declares GBK', () => {
    // "整改" in GBK, under a meta charset of gb2312 as many government sites still declare.
    const bytes = new Uint8Array([...new TextEncoder().encode('<html><head><meta charset="gb2312"></head><body><p>'), 0xd5, 0xfb, 0xb8, 0xc4, ...new TextEncoder().encode('</p></body></html>')]);
    expect(readHtml(bytes).lines.map((l) => l.text)).toEqual(['整改']);
  });
});

describe('a Word file', () => {
  const numbering = {
    config: [
      { reference: 'zh', levels: [{ level: 0, format: LevelFormat.CHINESE_COUNTING, text: '(%1)', suffix: LevelSuffix.NOTHING }] },
      { reference: 'circled', levels: [{ level: 0, format: LevelFormat.DECIMAL_ENCLOSED_CIRCLE, text: '%1', suffix: LevelSuffix.NOTHING }] },
      { reference: 'digit', levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', suffix: LevelSuffix.TAB }] },
    ],
  };
  const numbered = (text: string, reference: string, instance: number) => new Paragraph({ children: [new TextRun(text)], numbering: { reference, level: 0, instance } });

  it('prints the list numbers Word draws, each list counting from its start', async () => {
    const doc = new Document({
      numbering,
      sections: [
        {
          children: [
            numbered('甲。', 'zh', 1),
            numbered('乙。', 'zh', 1),
            numbered('丙。', 'zh', 1),
            numbered('另一项的第一条。', 'zh', 2),
            numbered('圈一。', 'circled', 3),
            numbered('圈二。', 'circled', 3),
            numbered('数字一。', 'digit', 4),
          ],
        },
      ],
    });
    const read = readDocx(await Packer.toBuffer(doc));
    expect(read.lines.map((l) => l.text)).toEqual(['(一)甲。', '(二)乙。', '(三)丙。', '(一)另一项的第一条。', '①圈一。', '②圈二。', '1.\t数字一。']);
    expect(read.lines.map((l) => rangeFormat(read)([read.lines.indexOf(l) + 1, read.lines.indexOf(l) + 1]))).toEqual(['第1段', '第2段', '第3段', '第4段', '第5段', '第6段', '第7段']);
  });

  it('reads inserted text and leaves out deleted and hidden text', async () => {
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({
              alignment: AlignmentType.LEFT,
              children: [
                new TextRun('整改时限：'),
                new DeletedTextRun({ id: 1, author: 'a', date: '2020-11-25T00:00:00Z', text: '2020年' }),
                new InsertedTextRun({ id: 2, author: 'a', date: '2020-11-25T00:00:00Z', text: '2021年' }),
                new TextRun('年底前'),
                new TextRun({ text: '（隐藏批注）', vanish: true }),
              ],
            }),
          ],
        },
      ],
    });
    expect(readDocx(await Packer.toBuffer(doc)).lines.map((l) => l.text)).toEqual(['整改时限：2021年年底前']);
  });

  it('reads a table with merged cells, located by table and row', async () => {
    const cell = (text: string, options = {}) => new TableCell({ children: [new Paragraph(text)], ...options });
    const table = new Table({
      rows: [
        new TableRow({ children: ['序号', '问题', '整改目标', '整改时限', '整改措施'].map((t) => cell(t)) }),
        new TableRow({ children: [cell('第一项', { rowSpan: 2 }), cell('甲问题。以上问题分2个方面进行整改。', { columnSpan: 4 })] }),
        new TableRow({ children: [cell('(一)甲一问题。'), cell('甲一目标。'), cell('2021年年底前'), cell('1.甲一措施。')] }),
      ],
    });
    const read = readDocx(await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('关于印发《某市整改实施方案》的通知'), new Paragraph('某市委办公室'), new Paragraph('2021年3月1日'), table] }] })));
    expect(items(read)).toEqual([
      { printed: '第一项', problem: '甲问题。', note: '以上问题分2个方面进行整改。', parts: [{ label: '(一)', problem: '甲一问题。', target: '甲一目标。', deadline: '2021年年底前', measures: ['1.甲一措施。'] }] },
    ]);
    expect(read.lines.filter((l) => l.loc.kind === 'row').map((l) => describeRange(l.loc, l.loc))).toContain('表1第3行');
  });

  it('says what is wrong with a file that is not a Word file', () => {
    expect(() => readDocx(new Uint8Array([1, 2, 3]))).toThrow('无法打开 Word 文件');
  });
});

describe('the layout of a PDF', () => {
  /** A page of 12-point lines: [text, x of the line start, x of its end, y]. */
  const page = (lines: [string, number, number, number][], rules: Rule[] = [], size = 12): PdfPage => ({
    width: 595,
    height: 842,
    runs: lines.map(([str, x, end, y]): Run => ({ str, x, y, w: end - x, size })),
    rules,
    images: 0,
  });
  const L = 72;
  const R = 523;

  it('drops running headers, footers and page numbers, and rejoins a paragraph across the page break', () => {
    const doc = layoutPdf([
      page([['某市人民政府文件', 250, 346, 40], ['　　(一)甲措施第一行', L + 24, R, 100], ['甲措施第二行到页底', L, R, 120], ['- 1 -', 280, 310, 810]]),
      page([['某市人民政府文件', 250, 346, 40], ['甲措施在下一页结束。', L, 300, 100], ['　　(二)乙措施。', L + 24, 250, 120], ['- 2 -', 280, 310, 810]]),
      page([['某市人民政府文件', 250, 346, 40], ['　　(三)丙措施。', L + 24, 250, 100], ['　　(四)丁措施。', L + 24, 250, 120], ['- 3 -', 280, 310, 810]]),
    ]);
    expect(doc.lines.filter((l) => l.skip).map((l) => [describeRange(l.loc, l.loc), l.skip])).toEqual([
      ['第1页第1行', '页眉'],
      ['第1页第4行', '页码'],
      ['第2页第1行', '页眉'],
      ['第2页第4行', '页码'],
      ['第3页第1行', '页眉'],
      ['第3页第4行', '页码'],
    ]);
    expect(paragraphs(doc).paragraphs.map((p) => p.raw)).toEqual(['(一)甲措施第一行甲措施第二行到页底甲措施在下一页结束。', '(二)乙措施。', '(三)丙措施。', '(四)丁措施。']);
  });

  it('keeps a title over two centred lines together, and a short line ends its paragraph', () => {
    const doc = layoutPdf([
      page([
        ['关于补充完善《某市整改实施方案》部分', 150, 445, 80],
        ['内容的通知', 257, 338, 105],
        ['各县区：', L, 120, 140],
        ['　　现将我市整改实施方案部分内容的修改情况通知', L + 24, R, 160],
        ['如下，请按修改后内容抓好整改落实。', L, 300, 180],
        ['　　一、第六项，督察整改还不到位。甘肃省第一轮中央', L + 24, R, 200],
        ['环境保护督察整改任务共62项。', L, 250, 220],
        ['　　审核意见：整改时限的表述与省级方案不一致。', L + 24, 400, 240],
      ]),
    ]);
    expect(paragraphs(doc).paragraphs.map((p) => p.raw)).toEqual([
      '关于补充完善《某市整改实施方案》部分内容的通知',
      '各县区：',
      '现将我市整改实施方案部分内容的修改情况通知如下，请按修改后内容抓好整改落实。',
      '一、第六项，督察整改还不到位。甘肃省第一轮中央环境保护督察整改任务共62项。',
      '审核意见：整改时限的表述与省级方案不一致。',
    ]);
  });

  it('rebuilds a bordered table from its rules: a cell spanning rows, a cell spanning columns', () => {
    const h = (y: number, x0 = 100): Rule => ({ x0, x1: 400, y0: y, y1: y + 0.5 });
    const v = (x: number, y0 = 100, y1 = 220): Rule => ({ x0: x, x1: x + 0.5, y0, y1 });
    // Columns at 100 | 150 | 300 | 400, rows at 100 | 130 | 160 | 190 | 220. No rule in the first column
    // below row 1 (序号 over three rows), none at x = 300 in row 1 (the problem across the table).
    const rules = [h(100), h(130), h(160, 150), h(190, 150), h(220), v(100), v(150), v(300, 100, 130), v(300, 160, 220), v(400)];
    const doc = layoutPdf([
      page(
        [
          ['序号', 110, 140, 120],
          ['问题', 200, 230, 120],
          ['整改措施', 320, 370, 120],
          ['第一项', 105, 145, 150],
          ['甲问题。以上问题分2个方面进行整改。', 155, 395, 150],
          ['(一)甲一问题。', 155, 290, 180],
          ['1.甲一措施。', 305, 390, 180],
          ['(二)甲二问题。', 155, 290, 210],
          ['1.甲二措施。', 305, 390, 210],
        ],
        rules,
        9,
      ),
    ]);
    expect(doc.lines.filter((l) => l.skip === '表头').map((l) => l.text)).toEqual(['序号', '问题', '整改措施']);
    expect(items(doc)).toEqual([
      {
        printed: '第一项',
        problem: '甲问题。',
        note: '以上问题分2个方面进行整改。',
        parts: [
          { label: '(一)', problem: '甲一问题。', measures: ['1.甲一措施。'] },
          { label: '(二)', problem: '甲二问题。', measures: ['1.甲二措施。'] },
        ],
      },
    ]);
  });

  it('drops the spaces pdf.js reads into justified Chinese, and maps radicals back to the characters on the page', () => {
    const doc = layoutPdf([page([['拖 再 拖 的 现 象', L, R, 100], ['意⻅和⼯作 PM2.5 and PM10', L, 300, 120]])]);
    expect(doc.lines.map((l) => l.text)).toEqual(['拖再拖的现象', '意见和工作PM2.5 and PM10']);
    expect(unifyIdeographs('⻓江⻔⼝⻛⻋')).toBe('长江门口风车');
  });

  it('refuses a scan and a text layer without character codes, saying why', () => {
    expect(() => layoutPdf([{ width: 595, height: 842, runs: [], rules: [], images: 1 }, { width: 595, height: 842, runs: [], rules: [], images: 1 }])).toThrow(
      new NoTextLayer('这个 PDF 没有文字层：全部 2 页都是图像（扫描件或图片转成的 PDF），无法读取文字。请先用文字识别（OCR）转换，或向发布机关索取可复制文字的版本。'),
    );
    expect(() => layoutPdf([page([['\ue001\ue002\ue003\ue004', L, R, 100]])])).toThrow(/文字层无法识别为文字/);
  });
});
