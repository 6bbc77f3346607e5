/**
 * A published document as the readers hand it to the parsers: its text line
 * by line, each line with where it is in the file (line, page and line,
 * paragraph, table row) and what the layout says about it — whether a new
 * paragraph certainly starts there, whether it certainly continues the line
 * before, whether it ran to the right margin. Plain text is read here; PDF,
 * Word and HTML files by their own readers (read-file.ts).
 *
 * Lines are numbered 1… in reading order; spans (normalize.ts) carry these
 * numbers, and `formatRange` turns them back into the file's own places, so
 * every report names lines the same way for every format.
 */
import type { FieldKey } from './fields.ts';

export type SourceFormat = 'txt' | 'html' | 'docx' | 'pdf';

/** Where a line is in the file. */
export type Loc =
  | { kind: 'line'; line: number }
  | { kind: 'page'; page: number; line: number }
  | { kind: 'para'; para: number }
  | { kind: 'row'; table: number; row: number };

/** What an item table says a line is (item-table.ts). */
export type LineRole =
  /** The first line of an item's row: its number as printed; the text is the problem cell's. */
  | { kind: 'item'; n: number; printed: string }
  /** The first line of a field's cell. */
  | { kind: 'field'; field: FieldKey };

export interface SourceLine {
  text: string;
  loc: Loc;
  /** 'para': a paragraph certainly starts here; 'wrap': it certainly continues the line before. Otherwise the text decides. */
  brk?: 'para' | 'wrap';
  /** The line ran to the right margin (true) or ended short of it (false): a wrap is likely, or a paragraph ended. */
  full?: boolean;
  role?: LineRole;
  /** Text of an item table's cell: the table gives its structure, so only a number at a paragraph's start counts. */
  cell?: boolean;
  /** Set when the reader already knows the line is not document text (a running header, a navigation bar, a table's header): why. */
  skip?: string;
}

export interface SourceDoc {
  format: SourceFormat;
  lines: SourceLine[];
}

/** A plain text: one source line a line; blank lines and indents mark paragraphs, widths show wrapping. */
export function textDoc(text: string): SourceDoc {
  const raw = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  const lines: SourceLine[] = raw.map((t, i) => ({ text: t, loc: { kind: 'line', line: i + 1 } }));
  markParagraphStarts(lines);
  markFullLines(lines);
  return { format: 'txt', lines };
}

const blank = (t: string) => t.replace(/[\s\u3000\u00a0\u200b\ufeff]/g, '') === '';

/** Width of leading space in columns (a full-width space is two). */
function indentOf(t: string): number {
  let w = 0;
  for (const c of t) {
    if (c === '\u3000') w += 2;
    else if (c === '\t') w += 4;
    else if (/\s/.test(c)) w += 1;
    else break;
  }
  return w;
}

/**
 * A line after a blank line starts a paragraph; so does a line indented
 * beyond the text's usual left edge (a first-line indent kept by a copy).
 */
function markParagraphStarts(lines: SourceLine[]): void {
  const indents = lines.filter((l) => !blank(l.text)).map((l) => indentOf(l.text));
  const usual = mode(indents) ?? 0;
  let afterBlank = false;
  for (const l of lines) {
    if (blank(l.text)) {
      afterBlank = true;
      continue;
    }
    if (afterBlank || indentOf(l.text) >= usual + 2) l.brk = 'para';
    afterBlank = false;
  }
}

function mode(values: readonly number[]): number | undefined {
  const count = new Map<number, number>();
  let best: number | undefined;
  for (const v of values) {
    count.set(v, (count.get(v) ?? 0) + 1);
    if (best === undefined || count.get(v)! > count.get(best)!) best = v;
  }
  return best;
}

const WIDE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026\u2014]/u;

/** Three measures of a line's width: characters, columns (wide = 2), and ems of a proportional font. */
function widths(t: string): [number, number, number] {
  let chars = 0;
  let cols = 0;
  let ems = 0;
  for (const c of t.trim()) {
    chars++;
    if (WIDE.test(c)) {
      cols += 2;
      ems += 1;
    } else {
      cols += 1;
      ems += /[,.;:()'"!|\s[\]]/.test(c) ? 0.3 : 0.55;
    }
  }
  return [chars, cols, ems];
}
const SLACK: readonly [number, number, number] = [1, 2, 1.2];

/**
 * A line is full when it reaches the width at which the text near it is
 * wrapped: the widest width that at least three nearby lines share (a line
 * pushed past it by punctuation that may not start a line counts as full). In
 * text that is not wrapped no such width exists and nothing is marked: the
 * text alone decides.
 */
function markFullLines(lines: SourceLine[]): void {
  const idx = lines.map((l, i) => (blank(l.text) ? -1 : i)).filter((i) => i >= 0);
  const w = idx.map((i) => widths(lines[i]!.text));
  for (let k = 0; k < idx.length; k++) {
    const window = w.slice(Math.max(0, k - 4), k + 5);
    for (let m = 0; m < 3; m++) {
      const values = window.map((x) => x[m]!);
      const wrapAt = values
        .filter((c) => c >= MIN_WRAP[m]! && values.filter((v) => Math.abs(v - c) <= SLACK[m]!).length >= 3)
        .reduce((a, b) => Math.max(a, b), -1);
      if (wrapAt > 0 && w[k]![m]! >= wrapAt - SLACK[m]!) {
        lines[idx[k]!]!.full = true;
        break;
      }
    }
  }
}
const MIN_WRAP: readonly [number, number, number] = [14, 28, 14];

/** The place of one line, as a reader would look for it: 第12行, 第3页第12行, 第12段, 表1第3行. */
export function describeLoc(loc: Loc): string {
  switch (loc.kind) {
    case 'line':
      return `第${loc.line}行`;
    case 'page':
      return `第${loc.page}页第${loc.line}行`;
    case 'para':
      return `第${loc.para}段`;
    case 'row':
      return `表${loc.table}第${loc.row}行`;
  }
}

/** A range of lines in the file's own terms: 第12–14行, 第3页第40行–第4页第2行. */
export function describeRange(a: Loc, b: Loc): string {
  if (a.kind === 'line' && b.kind === 'line') return a.line === b.line ? `第${a.line}行` : `第${a.line}–${b.line}行`;
  if (a.kind === 'page' && b.kind === 'page' && a.page === b.page) return a.line === b.line ? describeLoc(a) : `第${a.page}页第${a.line}–${b.line}行`;
  if (a.kind === 'para' && b.kind === 'para') return a.para === b.para ? describeLoc(a) : `第${a.para}–${b.para}段`;
  if (a.kind === 'row' && b.kind === 'row' && a.table === b.table) return a.row === b.row ? describeLoc(a) : `表${a.table}第${a.row}–${b.row}行`;
  const da = describeLoc(a);
  const db = describeLoc(b);
  return da === db ? da : `${da}–${db}`;
}

/** Formats a range of line numbers (as spans carry them) for one document. */
export type RangeFormat = (range: readonly [number, number]) => string;

export function rangeFormat(doc: SourceDoc): RangeFormat {
  return ([from, to]) => {
    const a = doc.lines[from - 1]?.loc;
    const b = doc.lines[to - 1]?.loc;
    return a && b ? describeRange(a, b) : from === to ? `第${from}行` : `第${from}–${to}行`;
  };
}
