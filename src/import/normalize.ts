/**
 * Folding published text for recognition while keeping it verbatim for output.
 *
 * Content keeps every text in the source's own script and punctuation,
 * conversion flaws included (see the seeds README). The importer therefore
 * never rewrites what it stores. It recognises structure (labels, numbering,
 * headings) on a *folded* copy — Simplified script, half-width punctuation,
 * one kind of space, pinyin artefacts removed — and maps every folded
 * character back to the original, so a field is cut out of the original text.
 */
import * as OpenCC from 'opencc-js';

/**
 * A run of source text: the original (`raw`) and its folded form (`fold`),
 * with the offset in `raw` where each folded character starts and the source
 * line it comes from.
 */
export interface Span {
  readonly raw: string;
  readonly fold: string;
  /** `src[i]`: offset in `raw` of folded character i; `src[fold.length] === raw.length`. */
  readonly src: readonly number[];
  /** `lines[i]`: 1-based source line of folded character i (last entry repeats the end line). */
  readonly lines: readonly number[];
}

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
const toTraditional = OpenCC.Converter({ from: 'cn', to: 't' });
const simplifiedChar = new Map<string, string>();

/**
 * Simplified form of one character. Converted a character at a time so the
 * folded text keeps a one-to-one map to the original; the labels and numbers
 * the importer looks for need no phrase context.
 */
function simplify(ch: string): string {
  let s = simplifiedChar.get(ch);
  if (s === undefined) {
    const converted = toSimplified(ch);
    s = [...converted].length === 1 ? converted : ch;
    simplifiedChar.set(ch, s);
  }
  return s;
}

const HAN = /\p{Script=Han}/u;
/** One pinyin syllable, with or without tone marks: what faulty conversions leave in brackets. */
const PINYIN_SYLLABLE =
  /^(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aāáǎàoōóǒòeēéěèiīíǐìuūúǔùüǖǘǚǜê]+(?:ng|n|r)?$/;
const BRACKETED_LATIN = /[(（]([a-zāáǎàōóǒòēéěèīíǐìūúǔùüǖǘǚǜê]{1,6})[)）]/gu;

/**
 * Ranges of `raw` that are pinyin conversion artefacts: a bracketed pinyin
 * syllable right after a Han character, as in 環(huán)境 or 問(wèn)題.
 */
export function pinyinArtefacts(raw: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const m of raw.matchAll(BRACKETED_LATIN)) {
    const before = raw[m.index - 1];
    if (before && HAN.test(before) && PINYIN_SYLLABLE.test(m[1]!)) ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/** The folded form of one original character ('' to drop it). */
function foldChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (ch === '\u200b' || ch === '\ufeff' || ch === '\u200d') return '';
  if (/\s/.test(ch) || ch === '\u3000') return ' ';
  // Full-width ASCII (：，（）；．１ …) to half-width.
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCodePoint(code - 0xfee0);
  if (code >= 0x3400) return simplify(ch);
  return ch;
}

/** Folds one line of source text. */
export function foldLine(raw: string, line: number): Span {
  const skip = pinyinArtefacts(raw);
  let fold = '';
  const src: number[] = [];
  let k = 0;
  for (let i = 0; i < raw.length; ) {
    if (k < skip.length && i === skip[k]![0]) {
      i = skip[k]![1];
      k++;
      continue;
    }
    const ch = String.fromCodePoint(raw.codePointAt(i)!);
    const f = foldChar(ch);
    for (const c of f) {
      fold += c;
      src.push(i);
    }
    i += ch.length;
  }
  src.push(raw.length);
  return { raw, fold, src, lines: Array(fold.length + 1).fill(line) };
}

/** A span over text that is already folded (for matching a line's folded form on its own). */
export function plainSpan(fold: string): Span {
  return { raw: fold, fold, src: [...Array(fold.length + 1).keys()], lines: Array(fold.length + 1).fill(0) };
}

/** Folds a whole text (no line map needed): for comparing and matching names. */
export function foldText(text: string): string {
  return text
    .split('\n')
    .map((l) => foldLine(l, 0).fold)
    .join('\n');
}

/** The part of a span between folded offsets `a` and `b`. */
export function slice(span: Span, a: number, b = span.fold.length): Span {
  const start = span.src[a]!;
  return {
    raw: span.raw.slice(start, span.src[b]!),
    fold: span.fold.slice(a, b),
    src: span.src.slice(a, b + 1).map((x) => x - start),
    lines: span.lines.slice(a, b + 1),
  };
}

/** A span without leading and trailing spaces. */
export function trim(span: Span): Span {
  const lead = span.fold.length - span.fold.trimStart().length;
  const end = span.fold.trimEnd().length;
  return lead >= end ? slice(span, 0, 0) : slice(span, lead, end);
}

/** Spans joined end to end (hard-wrapped lines of one paragraph). */
export function concat(spans: readonly Span[]): Span {
  if (spans.length === 1) return spans[0]!;
  let raw = '';
  let fold = '';
  const src: number[] = [];
  const lines: number[] = [];
  for (const s of spans) {
    for (let i = 0; i < s.fold.length; i++) {
      src.push(s.src[i]! + raw.length);
      lines.push(s.lines[i]!);
    }
    raw += s.raw;
    fold += s.fold;
  }
  src.push(raw.length);
  lines.push(spans.at(-1)?.lines.at(-1) ?? 0);
  return { raw, fold, src, lines };
}

/** First and last source line a span covers. */
export function lineRange(span: Span): [number, number] {
  return [span.lines[0]!, span.lines[Math.max(0, span.fold.length - 1)]!];
}

/** "第12行" or "第12–14行". */
export function formatLines([from, to]: readonly [number, number]): string {
  return from === to ? `第${from}行` : `第${from}–${to}行`;
}

/**
 * Whether a text is written in Traditional script: more of its characters
 * change when simplified than when made traditional.
 */
export function isTraditional(text: string): boolean {
  let trad = 0;
  let simp = 0;
  for (const ch of text) {
    if (!HAN.test(ch)) continue;
    if (simplify(ch) !== ch) trad++;
    else if (toTraditional(ch) !== ch) simp++;
  }
  return trad > simp;
}
