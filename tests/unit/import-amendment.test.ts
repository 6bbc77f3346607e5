/**
 * `import amendment` on the 2020-11-25 notice in seed 001: the four dated
 * changes with their review opinion, the old text kept, exactly as the
 * hand-made plan records them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkContent } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { amendmentRecords } from '../../src/import/amendment-content.ts';
import { parseAmendmentText } from '../../src/import/amendment-text.ts';
import { EXIT, importAmendment } from '../../src/import/commands.ts';
import { SEED, recorder, seedText, tempContent } from '../fixtures/import/helpers.ts';

const { content } = loadContent();
const realPlan = content.plans.find((p) => p.id === 'wuwei-2020')!;

describe('reading the amendment notice', () => {
  const parsed = parseAmendmentText(seedText());

  it('finds the notice, the plan it amends, the review and the announcing sentence', () => {
    expect(parsed.title).toBe('关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分内容的通知');
    expect(parsed.date).toBe('2020-11-25');
    expect(parsed.issuers).toEqual(['中共武威市委办公室', '武威市人民政府办公室']);
    expect(parsed.planDocNumber).toBe('武办字〔2020〕47号');
    expect([parsed.reviewBody, parsed.reviewDocNumber, parsed.reviewDate]).toEqual(['省整改办', '甘整改函〔2020〕16号', '2020-11-06']);
    expect(parsed.quote).toBe('现将我市《整改实施方案》部分内容修改情况通知如下,请按修改后内容抓好整改落实。');
  });

  it('reads each section: item, opinion, explanation, field and new text (measures one a line)', () => {
    expect(parsed.sections.map((s) => [s.ordinal, s.item, s.changes.map((c) => c.field)])).toEqual([
      ['一', 6, ['deadline']],
      ['二', 10, ['target']],
      ['三', 12, ['measures']],
      ['四', 14, ['measures']],
    ]);
    expect(parsed.sections[0]!.changes[0]!.explanation).toMatch(/^涉及第一轮中央环境保护督察整改任务的第十五项问题/);
    expect(parsed.sections[1]!.changes[0]!.explanation).toBeUndefined();
    expect(parsed.sections[3]!.changes[0]!.after.split('\n').map((l) => l.slice(0, 3))).toEqual(['(一)', '(二)']);
    expect(parsed.unplaced).toEqual([]);
  });
});

describe('the amendment records', () => {
  it('reproduce the four amendments of the plan exactly, old text taken from the items', () => {
    const fresh = { ...content, plans: content.plans.map((p) => (p.id === 'wuwei-2020' ? { ...p, amendments: [] } : p)) };
    const r = amendmentRecords(parseAmendmentText(seedText()), fresh);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.newSources).toEqual([]);
    expect(r.amendment).toEqual(realPlan.amendments[0]);
  });

  it('re-importing the same notice changes nothing', () => {
    const r = amendmentRecords(parseAmendmentText(seedText()), content);
    expect(r.plan).toEqual(realPlan);
  });

  it('takes the old text from an earlier amendment of the same field', () => {
    const earlier = {
      ...realPlan.amendments[0]!,
      id: 'wuwei-2020-earlier',
      date: '2020-09-01',
      title: '更早的修改',
      changes: [{ item: 'wuwei-2020-10', field: 'target' as const, before: '城市环境空气质量持续改善,到2020年年底,达到国家环境空气质量二级标准。', after: '更早修改后的目标。' }],
    };
    const withEarlier = { ...content, plans: content.plans.map((p) => (p.id === 'wuwei-2020' ? { ...p, amendments: [earlier] } : p)) };
    const r = amendmentRecords(parseAmendmentText(seedText()), withEarlier);
    expect(r.plan!.amendments.map((a) => a.date)).toEqual(['2020-09-01', '2020-11-25']);
    expect(r.amendment!.changes.find((c) => c.item === 'wuwei-2020-10')!.before).toBe('更早修改后的目标。');
  });

  it('refuses a notice about an item the plan does not have, or a plan not in content', () => {
    const wrong = seedText().replace('四、第十四项,', '四、第十九项,');
    expect(amendmentRecords(parseAmendmentText(wrong), content).problems).toEqual([expect.objectContaining({ message: '第四部分（第十九项）：方案 wuwei-2020 中没有第19项' })]);
    const noPlan = { ...content, plans: content.plans.filter((p) => p.id !== 'wuwei-2020') };
    expect(amendmentRecords(parseAmendmentText(seedText()), noPlan).problems[0]!.message).toMatch(/^内容中没有被修改的方案/);
  });
});

describe('import amendment on content/', () => {
  let temp: ReturnType<typeof tempContent>;
  afterEach(() => temp.done());

  it('dry run shows the new amendment, --write adds it, and the plan file is then the hand-made one byte for byte', async () => {
    temp = tempContent();
    const planFile = join(temp.root, 'plans/wuwei-2020.yaml');
    const original = readFileSync(planFile, 'utf8');
    // The plan as it was before the notice: no amendments.
    const start = original.indexOf('amendments:');
    const end = original.indexOf('\nsource:', start);
    writeFileSync(planFile, original.slice(0, start) + original.slice(end + 1));
    const io = recorder();
    expect(await importAmendment(SEED, { root: temp.root }, io)).toBe(EXIT.ok);
    expect(io.lines).toContain('~ 修改 plans/wuwei-2020.yaml  整改方案 wuwei-2020 的修改 wuwei-2020-supplement-2020-11-25');
    expect(io.lines).toContain('    + amendments[0].changes[0].field: “deadline”');
    expect(io.lines).toContain('    + amendments[0].changes[1].before: “城市环境空气质量持续改善,到2020年年底,达到国家环境空气质量二级标准。”');
    expect(readFileSync(planFile, 'utf8')).not.toContain('amendments:');
    expect(await importAmendment(SEED, { root: temp.root, write: true }, recorder())).toBe(EXIT.ok);
    expect(readFileSync(planFile, 'utf8')).toBe(original);
    expect(parse(readFileSync(planFile, 'utf8')).amendments).toHaveLength(1);
    expect(checkContent(temp.root)).toEqual([]);
    const again = recorder();
    expect(await importAmendment(SEED, { root: temp.root, write: true }, again)).toBe(EXIT.ok);
    expect(again.lines).toContain('没有变化：内容已与文件一致。');
  });
});
