/**
 * Text folding for search, at index time (content, complaints) and at query time, so both sides
 * always agree. The rules themselves (script, pinyin artefacts, width) are src/text/fold.ts, shared
 * with the importer; this module applies them in order and keeps a map back to the original.
 *
 * Folding, in order:
 * 1. Pinyin conversion artefacts are dropped: `環(huán)境` → `環境` (a faulty
 *    conversion left a tone-marked syllable in brackets after characters; see
 *    `shared/seeds/README.md`).
 * 2. Line breaks between two Han characters are dropped: a word wrapped in the
 *    source (`污\n水`) is still one word. Chinese has no spaces between words,
 *    so a break there is layout, never a word boundary.
 * 3. Width and compatibility forms fold with NFKC (`ＰＭ２．５` → `PM2.5`,
 *    `，` → `,`); Latin is lower-cased.
 * 4. Traditional folds to Simplified with OpenCC (`汙水處理廠` → `污水处理厂`).
 *
 * The displayed text is never folded: folding is for matching only. Because
 * steps 1 and 2 remove characters and step 3 may expand one (`…` → `...`),
 * `foldWithMap` also returns where each folded character came from, so a match
 * found in folded text can be highlighted in the original.
 */
import { cleanPinyinArtefacts, foldWidthChar, isHan, pinyinArtefactSpans, toSimplified } from '../text/fold.ts';

export { cleanPinyinArtefacts, isHan, toSimplified };

/** A run of white space holding at least one line break, between two Han characters. */
const HAN_LINE_BREAK = /(?<=\p{Script=Han})[ \t\u3000]*(?:\r\n|[\r\n\u2028\u2029])[\s\u3000]*(?=\p{Script=Han})/gu;

/** Removes line breaks (and the spaces around them) between two Han characters: `污\n水` → `污水`. */
export function joinHanLineBreaks(text: string): string {
  return text.replace(HAN_LINE_BREAK, '');
}

/**
 * Full-width → half-width and other compatibility forms (NFKC, per
 * character), Latin lower-cased: `ＰＭ２．５` → `pm2.5`. Chinese punctuation
 * without a compatibility form (。、“”《》〔〕) is left as it is; for search
 * all punctuation is a separator anyway.
 */
export function foldWidth(text: string): string {
  return text.replace(WIDTH_FOLDED, foldWidthChar);
}
/** What `foldWidthChar` may change: all but lower-case ASCII and CJK Unified Ideographs, which it returns as they are. */
const WIDTH_FOLDED = /[^\0-\x40\x5b-\x7f\u4e00-\u9fff]/gu;

/** Folded text and, for each of its UTF-16 units, the span of the source it came from. */
export interface FoldedText {
  text: string;
  /** `start[i]`..`end[i]` (exclusive) is the source span of `text[i]`, in UTF-16 units. */
  start: Int32Array;
  end: Int32Array;
}

/** Spans of `text` (UTF-16 offsets) that `pattern` matches. */
function matchedSpans(text: string, pattern: RegExp): [number, number][] {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

/** Keeps the source positions of the characters of `text` not inside `spans`. */
function keepOutside(text: string, positions: number[], spans: [number, number][]): { text: string; positions: number[] } {
  if (!spans.length) return { text, positions };
  let out = '';
  const kept: number[] = [];
  let s = 0;
  for (let i = 0; i < text.length; i++) {
    while (s < spans.length && spans[s]![1] <= i) s++;
    if (s < spans.length && spans[s]![0] <= i) continue;
    out += text[i];
    kept.push(positions[i]!);
  }
  return { text: out, positions: kept };
}

/**
 * Folds `source` for search (see the module comment) and maps every folded
 * UTF-16 unit back to the source span it came from, so matches found in the
 * folded text can be highlighted in the original text.
 */
export function foldWithMap(source: string): FoldedText {
  // Steps 1 and 2 delete characters: track each kept unit's source position.
  let positions = Array.from({ length: source.length }, (_, i) => i);
  let step = keepOutside(source, positions, pinyinArtefactSpans(source));
  step = keepOutside(step.text, step.positions, matchedSpans(step.text, HAN_LINE_BREAK));
  positions = step.positions;
  const kept = step.text;

  // Step 3, per code point: each output unit inherits its code point's source span.
  let widthFolded = '';
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < kept.length; ) {
    const cp = kept.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = kept.slice(i, i + width);
    const folded = foldWidthChar(ch);
    const from = positions[i]!;
    const to = positions[i + width - 1]! + 1;
    widthFolded += folded;
    for (let k = 0; k < folded.length; k++) {
      start.push(from);
      end.push(to);
    }
    i += width;
  }

  // Step 4 maps one code point to one code point; a surrogate pair may become
  // one unit or the reverse, so realign by code points.
  const simplified = toSimplified(widthFolded);
  if (simplified.length === widthFolded.length) {
    return { text: simplified, start: Int32Array.from(start), end: Int32Array.from(end) };
  }
  const inCps = [...widthFolded];
  const outCps = [...simplified];
  if (inCps.length !== outCps.length) {
    // Not expected with a character preset; fold without T→S rather than misplace highlights.
    return { text: widthFolded, start: Int32Array.from(start), end: Int32Array.from(end) };
  }
  const s2: number[] = [];
  const e2: number[] = [];
  let unit = 0;
  inCps.forEach((cp, k) => {
    const out = outCps[k]!;
    for (let j = 0; j < out.length; j++) {
      s2.push(start[unit]!);
      e2.push(end[unit + cp.length - 1]!);
    }
    unit += cp.length;
  });
  return { text: simplified, start: Int32Array.from(s2), end: Int32Array.from(e2) };
}

/** Folds `text` for search (see the module comment). Same result as `foldWithMap(text).text`. */
export function foldText(text: string): string {
  return toSimplified(foldWidth(joinHanLineBreaks(cleanPinyinArtefacts(text))));
}
