/**
 * Numbered measures (整改措施) in the styles plans print them:
 * (一) / （一）, (1) / （1）, 1. / 1、 / 1．, ①, 一是 … 二是 …, and 一、.
 *
 * A number at the start of a paragraph always starts a measure. Inside a
 * paragraph (a whole item on one line, or 一是…二是… run together) a number
 * starts one only after a sentence end and only if it continues the list —
 * (二) after (一), 3. after 2. — so "第22项问题(祁连山…)" or "2.5万户" are
 * never taken for numbers.
 */
import { ZH_NUMERAL_CHARS, parseNumeral } from './numerals.ts';
import { slice, trim, type Span } from './normalize.ts';

export type NumberStyle = 'paren-zh' | 'paren-digit' | 'digit' | 'circled' | 'zh-shi' | 'zh-comma';

/** A list number found in folded text. */
export interface Numbering {
  style: NumberStyle;
  n: number;
  /** Folded length of the number with its brackets or punctuation. */
  length: number;
}

const ZH = `[${ZH_NUMERAL_CHARS}]{1,3}`;
const PATTERNS: readonly [NumberStyle, RegExp][] = [
  ['paren-zh', new RegExp(`^\\(\\s*(${ZH})\\s*\\)`)],
  ['paren-digit', /^\(\s*(\d{1,2})\s*\)/],
  // "1." but not "2.5万户"; "1、"; a full-width "１．" is folded to "1.".
  ['digit', /^(\d{1,2})(?:\.(?!\d)|、)/],
  ['circled', /^([①-⑳])/],
  ['zh-shi', new RegExp(`^(${ZH})是(?![否不])`)],
  ['zh-comma', new RegExp(`^(${ZH})、`)],
];

/** The list number at folded offset `pos` of `fold`, if there is one. */
export function numberingAt(fold: string, pos = 0): Numbering | undefined {
  const rest = fold.slice(pos);
  for (const [style, re] of PATTERNS) {
    const m = re.exec(rest);
    if (!m) continue;
    const n = style === 'circled' ? m[1]!.codePointAt(0)! - 0x2460 + 1 : parseNumeral(m[1]!);
    if (n === undefined || n < 1) continue;
    return { style, n, length: m[0].length };
  }
  return undefined;
}

/** Whether `next` continues the list `prev` ended with (or starts one when there is none). */
export function follows(prev: Numbering | undefined, next: Numbering): boolean {
  return prev ? prev.style === next.style && next.n === prev.n + 1 : next.n === 1;
}

/** Characters after which a number inside a paragraph may start a new measure. */
export const SENTENCE_END = /[。;!?:]\s*$/;

/**
 * Inline numbers in a paragraph (after the first `from` characters): each one
 * follows a sentence end and continues the list. `prev` is the list's last
 * number so far. 一是 starts a list inline only when 二是 follows it.
 */
export function inlineNumbers(span: Span, from: number, prev: Numbering | undefined): { pos: number; num: Numbering }[] {
  const found: { pos: number; num: Numbering }[] = [];
  let last = prev;
  for (let pos = Math.max(from, 1); pos < span.fold.length; pos++) {
    if (!SENTENCE_END.test(span.fold.slice(Math.max(0, pos - 3), pos))) continue;
    const num = numberingAt(span.fold, pos);
    if (!num || !follows(last, num)) continue;
    if (num.style === 'zh-shi' && num.n === 1 && !/[。;!?:,]\s*二是/.test(span.fold.slice(pos))) continue;
    found.push({ pos, num });
    last = num;
    pos += num.length - 1;
  }
  return found;
}

/** One measure as read from the source: its label as printed, its text, its lines. */
export interface ParsedMeasure {
  label?: string;
  text: string;
  lines: [number, number];
  /** The list number, when labelled. */
  num?: Numbering;
}

/** A piece of a measures block: a span and whether it starts a new paragraph. */
export interface Piece {
  span: Span;
  paraStart: boolean;
}

/**
 * Splits a measures block into measures. Numbered paragraphs (and numbers
 * continuing the list inside a paragraph) start a measure, labelled as
 * printed. An unnumbered paragraph before the first number is a measure of its
 * own (an introduction, as in item 6 of the 武威 plan); after a numbered
 * measure it continues that measure, since measures are one paragraph each in
 * the form amendments quote them (`measuresToText`).
 */
export function splitMeasures(pieces: readonly Piece[]): ParsedMeasure[] {
  const out: { label?: string; num?: Numbering; spans: Span[] }[] = [];
  let last: Numbering | undefined;
  const start = (span: Span, num: Numbering | undefined): void => {
    if (!num) {
      out.push({ spans: [span] });
      return;
    }
    const label = trim(slice(span, 0, num.length)).raw;
    out.push({ label, num, spans: [trim(slice(span, num.length))] });
    last = num;
  };
  for (const piece of pieces) {
    const span = trim(piece.span);
    if (!span.fold) continue;
    const lead = piece.paraStart ? numberingAt(span.fold) : undefined;
    // A paragraph may also carry further numbers inline: split there.
    const cuts = inlineNumbers(span, lead ? lead.length : 0, lead ?? last);
    const bounds = [0, ...cuts.map((c) => c.pos), span.fold.length];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const part = trim(slice(span, bounds[k]!, bounds[k + 1]!));
      if (!part.fold) continue;
      if (k > 0) start(part, cuts[k - 1]!.num);
      else if (lead) start(part, lead);
      else if (piece.paraStart && !out.some((m) => m.num)) start(part, undefined);
      else if (out.length) out.at(-1)!.spans.push(part);
      else start(part, undefined);
    }
  }
  return out.map((m) => {
    const first = m.spans[0]!;
    const lastSpan = m.spans.at(-1)!;
    const measure: ParsedMeasure = {
      text: m.spans.map((s) => s.raw).join(''),
      lines: [first.lines[0]!, lastSpan.lines[Math.max(0, lastSpan.fold.length - 1)]!],
    };
    if (m.label !== undefined) measure.label = m.label;
    if (m.num) measure.num = m.num;
    return measure;
  });
}
