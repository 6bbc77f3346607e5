/**
 * `import plan` on seed 001: it reproduces the hand-made 武威 content exactly,
 * re-importing changes nothing, and the dry run / --write contract holds.
 * Every test works in a temporary copy of content/.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkContent } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { EXIT, importAmendment, importPlan } from '../../src/import/commands.ts';
import { parsePlanText } from '../../src/import/plan-text.ts';
import { newFileText, orderItem, orderPlan } from '../../src/import/yaml-out.ts';
import { FIXTURES, SEED, recorder, seedText, tempContent } from '../fixtures/import/helpers.ts';

const ITEMS = 'content/items/wuwei-2020';

describe('reading seed 001', () => {
  const parsed = parsePlanText(seedText());

  it('finds the plan metadata: title, document number, issuers, dates', () => {
    expect(parsed.title).toBe('武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案');
    expect(parsed.noticeTitle).toBe('关于印发《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》的通知');
    // The number is printed only in the amendment notice on the same page.
    expect(parsed.docNumber).toBe('武办字〔2020〕47号');
    expect(parsed.issuers).toEqual(['中共武威市委办公室', '武威市人民政府办公室']);
    expect(parsed.issued).toBe('2020-07-30');
    expect(parsed.published).toBe('2020-12-02');
    expect(parsed.teams).toContain('中央第五生态环境保护督察组');
  });

  it('finds the two groups with their declared counts and all 17 items, not the headings of the prose (一、指导思想)', () => {
    expect(parsed.groups.map((g) => [g.title, g.declaredCount])).toEqual([
      ['例行督察反馈问题整改措施清单', 9],
      ['专项督察整改措施清单', 8],
    ]);
    expect(parsed.items.map((i) => i.number)).toEqual(Array.from({ length: 17 }, (_, k) => k + 1));
    expect(parsed.items.map((i) => i.group)).toEqual([...Array(9).fill(0), ...Array(8).fill(1)]);
  });

  it('reads item 17 as two parts with their own problems, fields and 1. measures, and its note', () => {
    const seventeen = parsed.items[16]!;
    expect(seventeen.note).toBe('以上问题分2个方面进行整改。');
    expect(seventeen.parts.map((p) => [p.label, p.measures.map((m) => m.label)])).toEqual([
      ['(一)', ['1.', '2.', '3.', '4.', '5.']],
      ['(二)', ['1.', '2.']],
    ]);
    expect(seventeen.parts[1]!.fields.supervisingUnits).toBe('市生态环境局');
  });

  it('keeps an unnumbered introduction (item 6) and a single unnumbered measure (item 12)', () => {
    expect(parsed.items[5]!.parts[0]!.measures.map((m) => m.label)).toEqual([undefined, '(一)', '(二)', '(三)']);
    expect(parsed.items[11]!.parts[0]!.measures).toHaveLength(1);
    expect(parsed.items[11]!.parts[0]!.measures[0]!.label).toBeUndefined();
  });

  it('accounts for every line: chrome, the covering notice, the prose and the amendment notice are listed as skipped, nothing is unplaced', () => {
    expect(parsed.unplaced).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    const reasons = parsed.skipped.map((s) => s.reason);
    expect(reasons).toContain('方案正文（指导思想、工作原则等，不是整改任务）');
    expect(reasons.some((r) => r.startsWith('另一份文件：关于补充完善'))).toBe(true);
    expect(parsed.skipped[0]!.lines).toEqual([1, 2]);
  });

  it('reports progress for long files', () => {
    const messages: string[] = [];
    parsePlanText(seedText(), (m) => messages.push(m));
    expect(messages[0]).toBe('读取 568 行');
    expect(messages.at(-1)).toBe('识别出 2 个分组、17 项整改任务');
  });
});

describe('import plan on content/', () => {
  let temp: ReturnType<typeof tempContent>;
  afterEach(() => temp.done());

  it('re-importing seed 001 changes nothing: the dry run says so and every file stays byte for byte', async () => {
    temp = tempContent();
    const io = recorder();
    expect(await importPlan(SEED, { root: temp.root, write: true }, io)).toBe(EXIT.ok);
    expect(io.lines).toContain('没有变化：内容已与文件一致。');
    for (const f of readdirSync(ITEMS)) expect(readFileSync(join(temp.root, 'items/wuwei-2020', f), 'utf8')).toBe(readFileSync(join(ITEMS, f), 'utf8'));
    expect(readFileSync(join(temp.root, 'plans/wuwei-2020.yaml'), 'utf8')).toBe(readFileSync('content/plans/wuwei-2020.yaml', 'utf8'));
  });

  it('imported into content without the 武威 plan, reproduces content/items/wuwei-2020 byte for byte (topics and editorial regions aside) and the plan', async () => {
    temp = tempContent();
    rmSync(join(temp.root, 'items/wuwei-2020'), { recursive: true });
    rmSync(join(temp.root, 'plans/wuwei-2020.yaml'));
    const io = recorder();
    const code = await importPlan(SEED, { root: temp.root, write: true }, io);
    expect(io.text()).toContain('已写入 18 个文件。');
    expect(code).toBe(EXIT.ok);

    const editorial: string[] = [];
    for (const f of readdirSync(ITEMS)) {
      const original = readFileSync(join(ITEMS, f), 'utf8');
      const written = readFileSync(join(temp.root, 'items/wuwei-2020', f), 'utf8');
      const want = parse(original);
      const got = parse(written);
      // Topics are an editor's classification; a new item gets none.
      expect(got.topics).toEqual([]);
      // Regions: the plan's region and those of the responsible units; counties an editor
      // added because the text mentions them (凉州, 民勤) are not guessed.
      expect(want.regions).toEqual(expect.arrayContaining(got.regions));
      if (want.regions.length !== got.regions.length) editorial.push(want.id);
      const { comment } = { comment: original.split('\n', 1)[0]!.slice(2) };
      expect(written.split('\n', 1)[0]).toBe(`# ${comment}`);
      expect(newFileText(orderItem({ ...got, topics: want.topics, regions: want.regions }), comment)).toBe(original);
    }
    expect(editorial).toEqual(['wuwei-2020-06', 'wuwei-2020-09', 'wuwei-2020-10']);

    const plan = parse(readFileSync(join(temp.root, 'plans/wuwei-2020.yaml'), 'utf8'));
    const real = loadContent().content.plans.find((p) => p.id === 'wuwei-2020')!;
    expect(plan).toEqual(orderPlan({ ...real, amendments: [], note: undefined } as never));
    // The new plan has no amendments yet; the amendment notice brings them (import-amendment.test.ts).
    expect(await importAmendment(SEED, { root: temp.root, write: true }, recorder())).toBe(EXIT.ok);
    const amended = parse(readFileSync(join(temp.root, 'plans/wuwei-2020.yaml'), 'utf8'));
    expect(amended.amendments).toEqual(JSON.parse(JSON.stringify(real.amendments)));
    expect(checkContent(temp.root)).toEqual([]);
  });

  it('a dry run writes nothing and prints the changes: new items, changed fields', async () => {
    temp = tempContent();
    rmSync(join(temp.root, 'items/wuwei-2020/16.yaml'));
    const seven = join(temp.root, 'items/wuwei-2020/07.yaml');
    writeFileSync(seven, readFileSync(seven, 'utf8').replace('deadline: 2021年年底前', 'deadline: 2022年年底前'));
    const before = readFileSync(seven, 'utf8');
    const io = recorder();
    expect(await importPlan(SEED, { root: temp.root }, io)).toBe(EXIT.ok);
    expect(io.lines).toContain('+ 新增 items/wuwei-2020/16.yaml  整改任务 wuwei-2020-16（第十六项）');
    expect(io.lines).toContain('~ 修改 items/wuwei-2020/07.yaml  整改任务 wuwei-2020-07（第七项）');
    expect(io.lines).toContain('    ~ parts[0].deadline: 202[-2-]{+1+}年年底前');
    expect(io.lines.at(-1)).toBe('以上为预览，未写入；加 --write 写入。');
    expect(existsSync(join(temp.root, 'items/wuwei-2020/16.yaml'))).toBe(false);
    expect(readFileSync(seven, 'utf8')).toBe(before);

    // --write applies it, and then the content is as it was.
    expect(await importPlan(SEED, { root: temp.root, write: true }, recorder())).toBe(EXIT.ok);
    expect(readFileSync(seven, 'utf8')).toBe(readFileSync(join(ITEMS, '07.yaml'), 'utf8'));
    // The re-created item is the original but for its topics, which an editor gives.
    const recreated = readFileSync(join(temp.root, 'items/wuwei-2020/16.yaml'), 'utf8');
    expect(recreated).toBe(readFileSync(join(ITEMS, '16.yaml'), 'utf8').replace('topics:\n  - boilers\n  - air\n', 'topics: []\n'));
  });

  it('lists text it cannot place with its lines, exits 2 and does not write unless forced', async () => {
    temp = tempContent();
    rmSync(join(temp.root, 'items/wuwei-2020/16.yaml'));
    const io = recorder();
    expect(await importPlan(join(FIXTURES, 'unplaced.txt'), { root: temp.root, write: true }, io)).toBe(EXIT.unplaced);
    expect(io.lines).toContain('无法归位的文本（2 段，未导入）：');
    expect(io.lines).toContain('  第103行  “说明：以下各项按督察反馈意见顺序排列”');
    expect(io.lines).toContain('  第522行  “联系人：市生态环境保护督察整改办公室 0935-2212345”');
    expect(io.text()).toContain('有 2 段文本无法归位，未写入（或加 --force 照样写入）。');
    expect(existsSync(join(temp.root, 'items/wuwei-2020/16.yaml'))).toBe(false);
    expect(await importPlan(join(FIXTURES, 'unplaced.txt'), { root: temp.root, write: true, force: true }, recorder())).toBe(EXIT.unplaced);
    expect(existsSync(join(temp.root, 'items/wuwei-2020/16.yaml'))).toBe(true);
  });

  it('refuses an import the content check would reject, naming file and field', async () => {
    temp = tempContent();
    // The amendment of 2020-11-25 quotes item 10's target; a plan text with another target contradicts it.
    const changed = seedText().replace('整改目标:城市环境空气质量持续改善', '整改目标:城市环境空气质量明显改善');
    const file = join(temp.root, '..', 'changed.txt');
    writeFileSync(file, changed);
    const io = recorder();
    expect(await importPlan(file, { root: temp.root, write: true }, io)).toBe(EXIT.error);
    expect(io.lines).toContain('导入结果未通过内容检查，未写入：');
    expect(io.lines).toContain('  plans/wuwei-2020.yaml › amendments[0].changes[1].before：修改前文本与整改任务原文不一致');
    expect(readFileSync(join(temp.root, 'items/wuwei-2020/10.yaml'), 'utf8')).toBe(readFileSync(join(ITEMS, '10.yaml'), 'utf8'));
  });

  it('runs as a command: npm run import -- plan FILE (exit status and report)', async () => {
    temp = tempContent();
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('node_modules/.bin/tsx', ['scripts/import.ts', 'plan', SEED, '--content', temp.root, '--quiet'], { encoding: 'utf8' });
    expect(out).toContain('读到方案《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》（武办字〔2020〕47号）：2 个分组，17 项整改任务。');
    expect(out).toContain('没有变化：内容已与文件一致。');
    let status = 0;
    try {
      execFileSync('node_modules/.bin/tsx', ['scripts/import.ts', 'plan', join(FIXTURES, 'unplaced.txt'), '--content', temp.root, '--quiet'], { encoding: 'utf8' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(EXIT.unplaced);
  }, 30_000);
});
