/**
 * Paragraph recovery without blank lines: seed 001 hard-wrapped at several
 * widths, cut anywhere (as a fixed-width copy cuts) or with punctuation kept
 * off the start of a line (as a layout engine does), reads into the same
 * items and amendments as the content; and the cases that decide it, one at
 * a time.
 */
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';
import type { Item } from '../../src/model/schemas.ts';
import { amendmentRecords } from '../../src/import/amendment-content.ts';
import { parseAmendmentText } from '../../src/import/amendment-text.ts';
import { paragraphs } from '../../src/import/paragraphs.ts';
import { planRecords } from '../../src/import/plan-content.ts';
import { parsePlanText } from '../../src/import/plan-text.ts';
import { textDoc, type SourceLine } from '../../src/import/source.ts';
import { seedText } from '../fixtures/import/helpers.ts';

const { content } = loadContent();
const realItems = content.items.filter((i) => i.plan === 'wuwei-2020');
const realPlan = content.plans.find((p) => p.id === 'wuwei-2020')!;
const withoutPlan = { ...content, items: content.items.filter((i) => i.plan !== 'wuwei-2020'), plans: content.plans.filter((p) => p.id !== 'wuwei-2020') };

/** What an import takes from the text of an item: every field, verbatim. */
const fields = (i: Item) => ({
  number: i.number,
  group: i.group,
  problem: i.problem,
  note: i.note,
  parts: i.parts.map((p) => ({ ...p, responsibleUnits: p.responsibleUnits?.text, supervisingUnits: p.supervisingUnits?.text, responsibleLeaders: p.responsibleLeaders?.text, responsiblePersons: p.responsiblePersons?.text })),
});

/** Characters that may not begin a line in Chinese typesetting. */
const NO_START = /^[,.;:!?)\]、。，；：！？）」』》”’]/;

/** Each paragraph of the seed cut into lines of `width` characters; no blank lines, no indents. */
function wrap(width: number, keepPunctuation: boolean): string {
  const paras = seedText()
    .split('\n')
    .map((l) => l.replace(/\u00a0/g, ' ').trim())
    .filter(Boolean);
  const out: string[] = [];
  for (let rest of paras) {
    while (rest.length > width) {
      let cut = width;
      if (keepPunctuation) while (cut < rest.length && NO_START.test(rest.slice(cut))) cut++;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest) out.push(rest);
  }
  return out.join('\n');
}

describe.each([16, 20, 24, 28, 33, 37, 40, 45, 52, 60])('seed 001 wrapped at %i characters', (width) => {
  it.each([false, true])('reads the same items and amendments (punctuation kept off line starts: %s)', (keep) => {
    const text = wrap(width, keep);
    expect(text).not.toMatch(/\n\n/);
    const parsed = parsePlanText(text);
    expect(parsed.unplaced).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    const r = planRecords(parsed, withoutPlan);
    expect(r.problems).toEqual([]);
    expect(r.items.map(fields)).toEqual(realItems.map(fields));

    const notice = parseAmendmentText(text);
    expect(notice.unplaced).toEqual([]);
    const a = amendmentRecords(notice, { ...withoutPlan, items: [...withoutPlan.items, ...r.items], plans: [...withoutPlan.plans, { ...realPlan, amendments: [] }] });
    expect(a.problems).toEqual([]);
    expect(a.amendment).toEqual(realPlan.amendments[0]);
  });
});

const paras = (text: string) => paragraphs(text).paragraphs.map((p) => p.raw);

describe('what starts a paragraph when no blank line says so', () => {
  it('a line that ends mid-sentence goes on, whatever it starts with: 一、二级, 第24项、', () => {
    expect(paras('第三十二项问题(取缔集中式饮用水水源\n一、二级保护区内的采掘项目)已整改。\n(二)下一步加快推进。')).toEqual([
      '第三十二项问题(取缔集中式饮用水水源一、二级保护区内的采掘项目)已整改。',
      '(二)下一步加快推进。',
    ]);
    expect(paras('第七项,甲问题。\n整改措施:\n(一)达到序时进度的有第6项、\n第24项、32项正在整改。')).toEqual(['第七项,甲问题。', '整改措施:', '(一)达到序时进度的有第6项、第24项、32项正在整改。']);
  });

  it('the next number of the list, a label, a title or a date starts a paragraph after a sentence end', () => {
    expect(paras('(一)甲措施。\n(二)乙措施。\n整改时限:2020年底前\n责任单位:市住建局\n2020年11月25日')).toEqual(['(一)甲措施。', '(二)乙措施。', '整改时限:2020年底前', '责任单位:市住建局', '2020年11月25日']);
    // (四) after (二) continues no list: a cross-reference wrapped to a line start goes on.
    expect(paras('(一)甲措施。\n(二)按照上文\n(四)所列办法执行。')).toEqual(['(一)甲措施。', '(二)按照上文(四)所列办法执行。']);
  });

  it('a sentence end at the wrap width goes on; a short line ending a sentence ends the paragraph', () => {
    const full = '一二三四五六七八九十一二三四五六七八九十';
    const lines = [`${full.slice(0, 19)}。`, full, full, '一二三。', `另起一段${full.slice(0, 16)}`, '完。'];
    expect(paras(lines.join('\n'))).toEqual([lines.slice(0, 4).join(''), lines.slice(4).join('')]);
    // Unwrapped text has no wrap width: there a sentence end ends the paragraph.
    expect(paras('整改目标:甲。\n乙丙丁。')).toEqual(['整改目标:甲。', '乙丙丁。']);
  });

  it('a title over two lines is one paragraph and takes no more', () => {
    expect(paras('…接受社会监督。\n关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分\n内容的通知\n各县、区党委和人民政府:')).toEqual([
      '…接受社会监督。',
      '关于补充完善《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》部分内容的通知',
      '各县、区党委和人民政府:',
    ]);
  });

  it('joins Chinese without a space, and Latin words with one only where a PDF layout broke them', () => {
    expect(paras('卸下G\nDP的紧箍咒。')).toEqual(['卸下GDP的紧箍咒。']);
    const line = (text: string, brk?: 'para' | 'wrap'): SourceLine => ({ text, loc: { kind: 'page', page: 1, line: 1 }, ...(brk ? { brk } : {}) });
    const pdf = paragraphs({ format: 'pdf', lines: [line('Environmental Protection', 'para'), line('Inspection', 'wrap')] }).paragraphs;
    expect(pdf.map((p) => p.raw)).toEqual(['Environmental Protection Inspection']);
    // The space stands where the line broke and maps back to the line before.
    expect(pdf[0]!.lines[pdf[0]!.raw.indexOf(' Inspection')]).toBe(1);
  });

  it('a line indented beyond the text starts a paragraph; a blank line does', () => {
    expect(paras('整改目标:甲\n　　整改时限前移的说明\n乙\n\n丙')).toEqual(['整改目标:甲', '整改时限前移的说明乙', '丙']);
    expect(textDoc('甲\n  乙\n丙').lines.map((l) => l.brk)).toEqual([undefined, 'para', undefined]);
  });

  it('takes page chrome out of the middle of a sentence, and chrome a wrap cut in two', () => {
    const { paragraphs: p, chrome } = paragraphs('整改目标:各级\n- 3 -\n各部门。\nProduced By 大汉网络 大汉版通发布系\n统\n信息来源: 市生态环境局 发布日\n期: 2020-12-02 12\n:15 浏览次数:\n各县区党委:');
    expect(p.map((x) => x.raw)).toEqual(['整改目标:各级各部门。', '各县区党委:']);
    expect(chrome.map((c) => c.lines)).toEqual([[2, 2], [4, 5], [6, 8]]);
  });
});
