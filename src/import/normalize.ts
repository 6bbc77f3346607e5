/**
 * Folding published text for recognition while keeping it verbatim for output. The folding rules
 * are the ones search uses (src/text/fold.ts); this module keeps a map to the original lines.
 *
 * Content keeps every text in the source's own script and punctuation,
 * conversion flaws included (see the seeds README). The importer therefore
 * never rewrites what it stores. It recognises structure (labels, numbering,
 * headings) on a *folded* copy — Simplified script, half-width punctuation,
 * one kind of space, pinyin artefacts removed — and maps every folded
 * character back to the original, so a field is cut out of the original text.
 */
import { halfWidthChar, isTraditional, pinyinArtefactSpans, toSimplifiedChar } from '../text/fold.ts';

export { isTraditional };

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

/**
 * Ranges of `raw` that are pinyin conversion artefacts (環(huán)境), by the rule search uses too
 * (src/text/fold.ts).
 */
export function pinyinArtefacts(raw: string): [number, number][] {
  return pinyinArtefactSpans(raw);
}

/** The folded form of one original character ('' to drop it). */
function foldChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (ch === '\u200b' || ch === '\ufeff' || ch === '\u200d') return '';
  if (/\s/.test(ch) || ch === '\u3000') return ' ';
  // Full-width ASCII (：，（）；．１ …) to half-width; Han characters to Simplified, one for one.
  if (code >= 0xff01 && code <= 0xff5e) return halfWidthChar(ch);
  if (code >= 0x3400) return toSimplifiedChar(ch);
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
