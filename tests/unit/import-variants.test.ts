/**
 * Variants of seed 001 made by tests/fixtures/import/make-variants.ts —
 * Traditional script, pinyin artefacts, full-width punctuation, other
 * numbering, hard-wrapped layout with labels on their own lines, each item on
 * one line, page chrome — all parse to the same items as the 武威 content.
 *
 * "The same" means: the same numbers, groups, parts, fields, units and
 * measures, with texts equal once folded (script, punctuation width, pinyin
 * artefacts: the importer keeps each variant's own characters verbatim) and
 * measure labels equal by their number (1、 and (1) are both the first).
 */
import { readFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';
import type { Item } from '../../src/model/schemas.ts';
import { amendmentRecords } from '../../src/import/amendment-content.ts';
import { parseAmendmentText } from '../../src/import/amendment-text.ts';
import { numberingAt } from '../../src/import/measures.ts';
import { foldText } from '../../src/import/normalize.ts';
import { planRecords } from '../../src/import/plan-content.ts';
import { parsePlanText } from '../../src/import/plan-text.ts';
import { FIXTURES } from '../fixtures/import/helpers.ts';

const { content } = loadContent();
const realItems = content.items.filter((i) => i.plan === 'wuwei-2020');
const realPlan = content.plans.find((p) => p.id === 'wuwei-2020')!;
const withoutPlan = { ...content, items: content.items.filter((i) => i.plan !== 'wuwei-2020'), plans: content.plans.filter((p) => p.id !== 'wuwei-2020') };

const text = (s: string | undefined) => (s === undefined ? undefined : foldText(s).replace(/\s+/g, ''));
/**
 * The Traditional variants were made from the seed with OpenCC's phrase
 * conversion (批复 → 批覆, 着力 → 著力), which a character-by-character fold
 * cannot undo; their expected texts are the content's put through the same
 * conversion.
 */
const toTw = OpenCC.Converter({ from: 'cn', to: 'tw' });
function convertItem(item: Item, f: (s: string) => string): Item {
  const t = <T extends string | undefined>(s: T) => (s === undefined ? s : f(s)) as T;
  return {
    ...item,
    problem: t(item.problem),
    note: t(item.note),
    parts: item.parts.map((p) => ({
      ...p,
      problem: t(p.problem),
      target: t(p.target),
      deadline: t(p.deadline),
      ...(p.responsibleUnits ? { responsibleUnits: { ...p.responsibleUnits, text: f(p.responsibleUnits.text) } } : {}),
      ...(p.supervisingUnits ? { supervisingUnits: { ...p.supervisingUnits, text: f(p.supervisingUnits.text) } } : {}),
      measures: p.measures.map((m) => ({ ...m, text: f(m.text) })),
    })),
  } as Item;
}
/** A measures text without its numbers, for comparing amendments across numbering styles. */
const unnumbered = (s: string | undefined) => s?.split('\n').map((line) => line.slice(numberingAt(foldText(line))?.length ?? 0)).join('\n');
const num = (label: string | undefined) => (label === undefined ? undefined : numberingAt(foldText(label))?.n);

/** An item reduced to what every variant must agree on. */
function canonical(item: Item) {
  return {
    number: item.number,
    group: item.group,
    problem: text(item.problem),
    note: text(item.note),
    regions: item.regions,
    relatedItems: item.relatedItems,
    source: { doc: item.source.doc, locator: text(item.source.locator)!.replace(/第(\d+)项/, (_, n) => `#${n}`).replace(/第[^ ]+项/, () => `#${item.number}`) },
    parts: item.parts.map((p) => ({
      label: num(p.label),
      problem: text(p.problem),
      target: text(p.target),
      deadline: text(p.deadline),
      responsibleUnits: p.responsibleUnits && { text: text(p.responsibleUnits.text), units: p.responsibleUnits.units },
      responsibleLeaders: p.responsibleLeaders && { text: text(p.responsibleLeaders.text), names: p.responsibleLeaders.names.map(text) },
      responsiblePersons: p.responsiblePersons && { text: text(p.responsiblePersons.text), names: p.responsiblePersons.names.map(text) },
      supervisingUnits: p.supervisingUnits && { text: text(p.supervisingUnits.text), units: p.supervisingUnits.units },
      measures: p.measures.map((m) => ({ label: num(m.label), text: text(m.text) })),
    })),
  };
}

/** The real items as a fresh import gives them: no topics, regions from the units. */
const expected = (script: (s: string) => string) =>
  realItems.map((i) => canonical(convertItem({ ...i, regions: i.regions.filter((r) => !['gansu-wuwei-minqin', 'gansu-wuwei-liangzhou'].includes(r)) }, script)));

const VARIANTS = ['traditional.txt', 'traditional-pinyin.txt', 'fullwidth.txt', 'numbering.txt', 'layout.txt', 'one-line.txt', 'chrome.txt'];

describe.each(VARIANTS)('variant %s', (name) => {
  const source = readFileSync(join(FIXTURES, name), 'utf8');
  const parsed = parsePlanText(source);
  const script = name.startsWith('traditional') ? toTw : (s: string) => s;
  const flat = source.replace(/\n(- \d+ -\n)?/g, '');

  it('parses completely: 2 groups, 17 items, nothing unplaced, no warnings', () => {
    expect(parsed.unplaced).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.groups.map((g) => [text(g.title), g.declaredCount])).toEqual([
      ['例行督察反馈问题整改措施清单', 9],
      ['专项督察整改措施清单', 8],
    ]);
    expect(parsed.items).toHaveLength(17);
    expect(text(parsed.title)).toBe(text(realPlan.title));
    expect(text(parsed.docNumber)).toBe(text(realPlan.docNumber));
    expect(parsed.issued).toBe('2020-07-30');
    expect(parsed.issuers.map(text)).toEqual(realPlan.issuers);
  });

  it('gives the same items as the content, in its own script and punctuation', () => {
    const r = planRecords(parsed, withoutPlan);
    expect(r.problems).toEqual([]);
    expect(r.items.map(canonical)).toEqual(expected(script));
    // Stored text is the variant's own: cut verbatim from it (its line breaks and page numbers aside).
    for (const item of r.items) {
      expect(flat).toContain(item.problem!);
      for (const p of item.parts) for (const m of p.measures) expect(flat).toContain(m.text);
    }
  });

  it('reads the amendment notice on the same page into the same four changes', () => {
    const parsedNotice = parseAmendmentText(source);
    expect(parsedNotice.unplaced).toEqual([]);
    const items = planRecords(parsed, withoutPlan).items;
    const { plan, amendment, problems } = amendmentRecords(parsedNotice, { ...withoutPlan, items: [...withoutPlan.items, ...items], plans: [...withoutPlan.plans, { ...realPlan, amendments: [] }] });
    expect(problems).toEqual([]);
    expect(plan?.id).toBe('wuwei-2020');
    const real = realPlan.amendments[0]!;
    expect(amendment!.date).toBe(real.date);
    expect(amendment!.reviewDate).toBe(real.reviewDate);
    expect(text(amendment!.reviewDocNumber)).toBe(text(real.reviewDocNumber));
    const same = (c: (typeof real.changes)[number], f: (s: string) => string) => ({
      ...c,
      opinion: text(c.opinion && f(c.opinion)),
      explanation: text(c.explanation && f(c.explanation)),
      before: text(unnumbered(f(c.before))),
      after: text(unnumbered(f(c.after))),
    });
    expect(amendment!.changes.map((c) => same(c, (s) => s))).toEqual(real.changes.map((c) => same(c, script)));
  });
});

describe('the numbering variant', () => {
  it('keeps each measure label as printed', () => {
    const parsed = parsePlanText(readFileSync(join(FIXTURES, 'numbering.txt'), 'utf8'));
    const labels = (n: number, part = 0) => parsed.items[n - 1]!.parts[part]!.measures.map((m) => m.label);
    expect(parsed.items[0]!.printed).toBe('第1项');
    expect(labels(1)).toEqual(['1、', '2、', '3、', '4、', '5、']);
    expect(labels(6)).toEqual([undefined, '(1)', '(2)', '(3)']);
    expect(labels(10)).toEqual(['一是', '二是', '三是', '四是']);
    expect(labels(13)).toEqual(['①', '②', '③']);
    expect(labels(17, 1)).toEqual(['（1）', '（2）']);
  });
});
