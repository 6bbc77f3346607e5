/**
 * Seed 001 in the forms it reaches the public — a PDF printed from the web
 * page, the office's PDF with the item list as a table, a Word file with
 * paragraphs (measures numbered by Word) and one with the list as a table, the
 * web page saved with its chrome, and the text pdftotext gives of the PDF —
 * made by tests/fixtures/import/make-formats.ts. Each imports as the content
 * already in content/ ("没有变化") as plan and as amendment; the reports are
 * the same for every format, in the file's own places; a scan is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadContent } from '../../src/content/load.ts';
import { EXIT, importAmendment, importAmendmentDoc, importPlan, importPlanDoc } from '../../src/import/commands.ts';
import { parsePlan } from '../../src/import/plan-text.ts';
import { readSource } from '../../src/import/read-file.ts';
import { rangeFormat, type SourceDoc } from '../../src/import/source.ts';
import { FIXTURES, SEED, encodeGb18030, recorder, seedText, tempContent } from '../fixtures/import/helpers.ts';

const FORMATS = ['plan.pdf', 'plan-table.pdf', 'plan.docx', 'plan-table.docx', 'plan.html', 'plan-copy.txt'] as const;
const docs = new Map<string, SourceDoc>();
const realPlan = loadContent().content.plans.find((p) => p.id === 'wuwei-2020')!;

beforeAll(async () => {
  for (const f of FORMATS) docs.set(f, await readSource(join(FIXTURES, f)));
}, 60_000);

let temp: ReturnType<typeof tempContent>;
afterEach(() => temp?.done());

describe.each(FORMATS)('%s', (name) => {
  it('imports as the plan already in content/: no change, nothing skipped that is content, nothing unplaced', () => {
    temp = tempContent();
    const io = recorder();
    expect(importPlanDoc(docs.get(name)!, name, { root: temp.root }, io)).toBe(EXIT.ok);
    expect(io.lines).toContain('读到方案《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》（武办字〔2020〕47号）：2 个分组，17 项整改任务。');
    expect(io.lines).toContain('没有变化：内容已与文件一致。');
    expect(io.text()).not.toContain('无法归位');
    expect(io.text()).not.toContain('提示：');
    // The amendment notice after the list is another document, skipped as a whole.
    expect(io.lines.some((l) => l.endsWith('另一份文件：关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分内容的通知'))).toBe(true);
  });

  it('imports as the amendment already in content/, the notice found after the plan', () => {
    temp = tempContent();
    const io = recorder();
    expect(importAmendmentDoc(docs.get(name)!, name, { root: temp.root }, io)).toBe(EXIT.ok);
    expect(io.lines).toContain('读到《关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分内容的通知》（2020-11-25）：4 项修改。');
    expect(io.lines).toContain('没有变化：内容已与文件一致。');
  });

  it('shows a changed field with the same diff as the text does', async () => {
    temp = tempContent();
    const seven = join(temp.root, 'items/wuwei-2020/07.yaml');
    writeFileSync(seven, readFileSync(seven, 'utf8').replace('deadline: 2021年年底前', 'deadline: 2022年年底前'));
    const fromText = recorder();
    expect(await importPlan(SEED, { root: temp.root }, fromText)).toBe(EXIT.ok);
    const io = recorder();
    expect(importPlanDoc(docs.get(name)!, name, { root: temp.root }, io)).toBe(EXIT.ok);
    const diff = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('~ ') || l.startsWith('+ ')));
    expect(diff(io.lines)).toEqual(diff(fromText.lines));
    expect(io.lines).toContain('    ~ parts[0].deadline: 202[-2-]{+1+}年年底前');
  });
});

describe('reading a PDF', () => {
  it('finds the four amendments of the notice in the printed page when the plan has none yet', async () => {
    temp = tempContent();
    const planFile = join(temp.root, 'plans/wuwei-2020.yaml');
    const header = readFileSync(planFile, 'utf8').split('\n', 1)[0]!;
    writeFileSync(planFile, `${header}\n${stringify({ ...parse(readFileSync(planFile, 'utf8')), amendments: [] })}`);
    const io = recorder();
    expect(await importAmendment(join(FIXTURES, 'plan.pdf'), { root: temp.root, write: true }, io)).toBe(EXIT.ok);
    const written = parse(readFileSync(planFile, 'utf8'));
    expect(written.amendments).toEqual(JSON.parse(JSON.stringify(realPlan.amendments)));
    expect(written.amendments[0].changes.map((c: { item: string; field: string }) => `${c.item} ${c.field}`)).toEqual([
      'wuwei-2020-06 deadline',
      'wuwei-2020-10 target',
      'wuwei-2020-12 measures',
      'wuwei-2020-14 measures',
    ]);
  });

  it('keeps item 6 whole and ends item 17 where it ends, although every paragraph is hard-wrapped', () => {
    const parsed = parsePlan(docs.get('plan.pdf')!);
    const six = parsed.items[5]!.parts[0]!.measures;
    expect(six.map((m) => m.label)).toEqual([undefined, '(一)', '(二)', '(三)']);
    expect(six[3]!.text).toMatch(/^达到序时进度的5项.*取缔集中式饮用水水源一、二级保护区.*2020年年底建成投运。$/);
    const last = parsed.items[16]!.parts[1]!.measures.at(-1)!;
    expect(last.text).toMatch(/接受社会监督。$/);
    expect(parsed.items[16]!.parts[1]!.measures).toHaveLength(2);
  });

  it('lists running headers, footers and the page chrome as skipped, in pages and lines', () => {
    temp = tempContent();
    const io = recorder();
    importPlanDoc(docs.get('plan.pdf')!, 'plan.pdf', { root: temp.root }, io);
    const skipped = io.lines.slice(io.lines.indexOf('未作为整改内容读取的部分：') + 1);
    expect(skipped).toContain('  第1页第1行  页眉');
    expect(skipped).toContain('  第1页第2–3行  页面内容（非正文）');
    expect(skipped.filter((l) => l.endsWith('  页眉'))).toHaveLength(21);
    expect(skipped.filter((l) => l.endsWith('  页脚'))).toHaveLength(21);
    expect(skipped.some((l) => /^ {2}第1页第14行–第6页第\d+行 {2}方案正文/.test(l))).toBe(true);
  });

  it('reads the table over its pages: the header once, its repetitions skipped, nothing else lost', () => {
    temp = tempContent();
    const io = recorder();
    importPlanDoc(docs.get('plan-table.pdf')!, 'plan-table.pdf', { root: temp.root }, io);
    expect(io.lines).toContain('  第7页第3行  表头');
    expect(io.lines.filter((l) => l.endsWith('表头（续页重复）')).length).toBeGreaterThanOrEqual(8);
    expect(io.lines.filter((l) => l.endsWith('  页码'))).toHaveLength(20);
  });

  it('reports text it cannot place with its page and line', () => {
    temp = tempContent();
    const doc = docs.get('plan.pdf')!;
    // A contact line after the list, as an office adds one: the same report as for text, in pages and lines.
    const at = doc.lines.findIndex((l) => l.text.startsWith('关于补充完善'));
    const lines = [...doc.lines.slice(0, at), { text: '联系人：市生态环境保护督察整改办公室 0935-2212345', loc: { kind: 'page' as const, page: 19, line: 21 }, brk: 'para' as const }, ...doc.lines.slice(at)];
    const io = recorder();
    expect(importPlanDoc({ ...doc, lines }, 'plan.pdf', { root: temp.root }, io)).toBe(EXIT.unplaced);
    expect(io.lines).toContain('无法归位的文本（1 段，未导入）：');
    expect(io.lines).toContain('  第19页第21行  “联系人：市生态环境保护督察整改办公室 0935-2212345”');
    expect(rangeFormat({ ...doc, lines })([1, lines.length])).toMatch(/^第1页第1行–第21页第\d+行$/);
  });

  it('refuses a scanned PDF with a message saying it has no text layer', async () => {
    const io = recorder();
    expect(await importPlan(join(FIXTURES, 'scanned.pdf'), {}, io)).toBe(EXIT.error);
    expect(io.lines).toEqual(['这个 PDF 没有文字层：唯一一页是图像（扫描件或图片转成的 PDF），无法读取文字。请先用文字识别（OCR）转换，或向发布机关索取可复制文字的版本。']);
    expect(await importAmendment(join(FIXTURES, 'scanned.pdf'), {}, recorder())).toBe(EXIT.error);
  });
});

describe('reading a saved web page and Word files', () => {
  it('lists the page chrome as skipped with its lines in the HTML file, 打印本页 关闭窗口 among it', () => {
    const source = new TextDecoder('gb18030').decode(readFileSync(join(FIXTURES, 'plan.html'))).split('\n');
    const lineOf = (needle: string) => source.findIndex((l) => l.includes(needle)) + 1;
    temp = tempContent();
    const io = recorder();
    importPlanDoc(docs.get('plan.html')!, 'plan.html', { root: temp.root }, io);
    /** Why the report says a line of the HTML file was skipped. */
    const reason = (line: number) =>
      io.lines
        .map((l) => /^ {2}第(\d+)(?:–(\d+))?行 {2}(.+)$/.exec(l))
        .find((m) => m && Number(m[1]) <= line && line <= Number(m[2] ?? m[1]))?.[3];
    expect(reason(lineOf('网站首页'))).toBe('导航链接');
    for (const chrome of ['&gt;专题专栏&gt;', '信息来源', '字体：', '分享到', '打印本页', '主办单位', '版权所有', '网站标识码', '扫一扫在手机打开当前页', 'Produced By']) {
      expect(reason(lineOf(chrome)), chrome).toMatch(/页面内容（非正文）|导航链接/);
    }
  });

  it('places Word paragraphs and table rows by paragraph and row', () => {
    temp = tempContent();
    const io = recorder();
    importPlanDoc(docs.get('plan-table.docx')!, 'plan-table.docx', { root: temp.root }, io);
    expect(io.lines).toContain('  表1第1行  表头');
    expect(io.lines).toContain('  第2–3段  印发通知正文');
  });
});

describe('plain text and several documents in one file', () => {
  it('reads text saved in GB18030 as it reads UTF-8', async () => {
    temp = tempContent();
    const file = join(temp.root, '..', 'seed-gb18030.txt');
    // The seed's blank lines hold no-break spaces, which GB18030 writes in four bytes; a space does as well here.
    writeFileSync(file, encodeGb18030(seedText().replace(/\u00a0/g, ' ')));
    for (const command of [importPlan, importAmendment]) {
      const io = recorder();
      expect(await command(file, { root: temp.root }, io)).toBe(EXIT.ok);
      expect(io.lines).toContain('没有变化：内容已与文件一致。');
    }
  });

  it('finds the plan after its amendment notice, and the notice before the plan', async () => {
    temp = tempContent();
    const lines = seedText().split('\n');
    const notice = lines.findIndex((l) => l.startsWith('关于补充完善'));
    const end = lines.findIndex((l) => l.trim().startsWith('2020年11月25日')) + 1;
    // The notice moved to the top of the page, the plan after it.
    const file = join(temp.root, '..', 'notice-first.txt');
    writeFileSync(file, [...lines.slice(0, 2), ...lines.slice(notice, end), '', ...lines.slice(2, notice), ...lines.slice(end)].join('\n'));
    const plan = recorder();
    expect(await importPlan(file, { root: temp.root }, plan)).toBe(EXIT.ok);
    expect(plan.lines).toContain('没有变化：内容已与文件一致。');
    expect(plan.lines.some((l) => l.endsWith('另一份文件：关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分内容的通知'))).toBe(true);
    const amendment = recorder();
    expect(await importAmendment(file, { root: temp.root }, amendment)).toBe(EXIT.ok);
    expect(amendment.lines).toContain('没有变化：内容已与文件一致。');
  });
});
