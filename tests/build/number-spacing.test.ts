/**
 * Numbers and units in the portal's own prose, on every built page, one way (README, “Typography”;
 * the methodology page): a space between an Arabic number and the Chinese unit or measure word after
 * it (24 项, 6 个, 1 份, 40 万户), none before a percent sign (57.9%), none in dates (2020年7月30日)
 * or ordinals (第12项, 第10、31项). Text the portal quotes from its sources keeps the source's own
 * form: it is marked in the markup (`data-verbatim`, `<q>`, `<blockquote>`), or quoted in the
 * portal's prose between “ ” or, for a document's title, 《 》, and left out here, as are data
 * tables (the chart tables' cells are checked in typography.test.ts), code and the archived texts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bodyText } from '../support/markup.ts';
import { htmlFiles } from '../support/html-files.ts';

const UNITS = '项|个|次|件|家|份|期|条|处|户|台|座|名|人次|人|所|吨|亩|公里|万|亿|元|天|轮|批|类|篇|页|字节|字|行|封';
/** A number glued to a unit, not a date's part nor an ordinal (第…). */
const GLUED = new RegExp(`(?<![第\\d.,，、A-Za-z]|第[\\d、，,]*)(\\d+(?:[.,]\\d+)*)(?:${UNITS})`, 'g');
/** A space before a percent sign. */
const SPACED_PERCENT = /\d[ \u00a0\u3000]+%/g;

/** The portal's own prose: source text marked verbatim, data tables, code, scripts and archived texts left out. */
const skipped = (tag: string, attr: (name: string) => string | undefined) =>
  ['script', 'style', 'template', 'table', 'code', 'pre', 'q', 'blockquote', 'select', 'textarea', 'canvas'].includes(tag) ||
  attr('data-verbatim') !== undefined ||
  (tag === 'ol' && /\barchive\b/.test(attr('class') ?? '')) ||
  (tag === 'details' && /\boriginal\b/.test(attr('class') ?? ''));

export function spacingProblems(prose: string): string[] {
  // Quoted in prose: “source words” and 《document titles》 keep the source's form.
  const text = prose.replace(/“[^“”]*”|《[^《》]*》/g, ' ');
  const around = (i: number, n: number) => text.slice(Math.max(0, i - 12), i + n + 6).replace(/\s+/g, ' ').trim();
  return [...[...text.matchAll(GLUED)].map((m) => `无空格：${around(m.index, m[0].length)}`), ...[...text.matchAll(SPACED_PERCENT)].map((m) => `% 前有空格：${around(m.index, m[0].length)}`)];
}

describe('numbers and units in prose', () => {
  const pages = htmlFiles('dist/client');

  it('the check finds what it looks for (so that it can fail)', () => {
    expect(spacingProblems('共24项任务，完成率 57.9 %')).toHaveLength(2);
    expect(spacingProblems('共 24 项任务，完成率 57.9%，第12项、第10、31项，2020年7月30日，PM2.5，原文“共62项”，《移交5.2万个问题》')).toEqual([]);
    const html = '<body><p>共 <strong>24</strong>项</p><p data-verbatim>涉及武威市问题19项</p><blockquote>基本完成11项</blockquote><table><tr><td>3项</td></tr></table></body>';
    expect(spacingProblems(bodyText(html, skipped))).toEqual(['无空格：共 24项']);
  });

  it('are spaced one way on every built page, source text aside', () => {
    expect(pages.length).toBeGreaterThan(100);
    const problems = pages.flatMap((f) => spacingProblems(bodyText(readFileSync(f, 'utf8'), skipped)).map((p) => `${f.replace('dist/client', '')}: ${p}`));
    expect(problems).toEqual([]);
  });
});
