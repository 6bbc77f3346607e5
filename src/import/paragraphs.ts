/**
 * From published text to paragraphs.
 *
 * Web pages and PDF copies break lines in the middle of sentences. A line
 * that does not end a sentence and is followed by one that starts no new
 * block (heading, label, number) is the same paragraph, joined without a
 * separator — Chinese has no spaces between words. Page chrome is taken out
 * first, so a page footer in the middle of a sentence does not break it.
 */
import { isChrome } from './chrome.ts';
import { concat, foldLine, lineRange, trim, type Span } from './normalize.ts';

/** A block of text the importer did not take as content, and why. */
export interface Skipped {
  lines: [number, number];
  reason: string;
}

/** Line ends that close a sentence or introduce what follows. */
const CLOSES = /[。!?;:]$/;
/** Closing quotes and brackets that may follow the sentence end. */
const TRAILING = /[”’」』)\]】》]+$/;

/** Whether a folded, trimmed line ends a sentence. */
export function endsSentence(fold: string): boolean {
  return CLOSES.test(fold.replace(TRAILING, '')) || CLOSES.test(fold);
}

/** The source lines, folded (line numbers are 1-based). */
export function sourceLines(text: string): Span[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i) => foldLine(raw, i + 1));
}

export interface ParagraphOptions {
  /** Whether a line starts a new block of its own (heading, label, number). */
  startsBlock: (fold: string) => boolean;
  /** Whether a line is complete in itself and takes no continuation (a heading, a lone label). */
  standsAlone: (fold: string) => boolean;
}

/**
 * Groups lines into trimmed, non-empty paragraphs and lists the chrome lines
 * taken out.
 */
export function paragraphs(lines: readonly Span[], options: ParagraphOptions): { paragraphs: Span[]; chrome: Skipped[] } {
  const out: Span[][] = [];
  const chrome: Skipped[] = [];
  let open = false;
  for (const line of lines) {
    const t = trim(line);
    if (!t.fold) {
      open = false;
      continue;
    }
    if (isChrome(t.fold)) {
      const n = t.lines[0]!;
      const prev = chrome.at(-1);
      if (prev && prev.lines[1] === n - 1) prev.lines[1] = n;
      else chrome.push({ lines: [n, n], reason: '页面内容（非正文）' });
      continue;
    }
    const current = out.at(-1);
    const previous = current?.at(-1);
    if (open && previous && !endsSentence(previous.fold) && !options.standsAlone(previous.fold) && !options.startsBlock(t.fold)) {
      current!.push(t);
    } else {
      out.push([t]);
    }
    open = true;
  }
  return { paragraphs: out.map((p) => concat(p)), chrome };
}

/** Line range of a run of paragraphs. */
export function rangeOf(spans: readonly Span[]): [number, number] {
  return [lineRange(spans[0]!)[0], lineRange(spans.at(-1)!)[1]];
}
