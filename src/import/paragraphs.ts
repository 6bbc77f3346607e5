/**
 * From the lines of a published document to its paragraphs.
 *
 * PDF copies and hard-wrapped text break lines wherever the page ended, with
 * no blank line between paragraphs. What the layout knows decides first: a
 * reader marks a line that certainly starts a paragraph (a blank line before
 * it, a first-line indent, a Word or HTML paragraph, a table cell) or
 * certainly continues one (a PDF line that ran to the margin in a document
 * that indents its paragraphs). Otherwise the text decides:
 *
 * - a new paragraph starts at a heading, an item (第X项), a number that
 *   continues the list being read ((二) after (一), 3. after 2.), a field
 *   label, a title, a date or an attachment marker — but not where such a
 *   start is only the middle of a sentence wrapped at the margin
 *   ("…饮用水水源" / "一、二级保护区");
 * - a paragraph that is complete in itself (a title, a lone label, a date)
 *   takes no continuation, whatever follows;
 * - a line that ends a sentence ends its paragraph, unless it ran to the
 *   margin of text wrapped at a fixed width;
 * - any other line break is a wrap: the lines are joined without a
 *   separator — Chinese has no spaces between words. In a PDF, where the
 *   layout broke Latin text only between words, two Latin words are joined
 *   with one space; plain text may have been cut anywhere ("G" / "DP"), so
 *   there nothing is added.
 *
 * Page chrome is taken out first, so a page footer in the middle of a
 * sentence does not break it; it is listed with its lines.
 */
import { blockStart, signatureLines, standsAlone, titleLines, type BlockStart } from './blocks.ts';
import { isChrome } from './chrome.ts';
import { concat, foldLine, lineRange, plainSpan, trim, type Span } from './normalize.ts';
import { textDoc, type LineRole, type SourceDoc, type SourceLine } from './source.ts';

/** A block of text the importer did not take as content, and why. */
export interface Skipped {
  lines: [number, number];
  reason: string;
}

/** A paragraph: its text as a span, and what an item table said it is. */
export interface Para extends Span {
  role?: LineRole;
  /** Text of an item table's cell. */
  cell?: boolean;
}

/** Line ends that close a sentence or introduce what follows. */
const CLOSES = /[。!?;:]$/;
/** Closing quotes and brackets that may follow the sentence end. */
const TRAILING = /[”’」』)\]】》]+$/;

/** Whether a folded, trimmed line ends a sentence. */
export function endsSentence(fold: string): boolean {
  return CLOSES.test(fold.replace(TRAILING, '')) || CLOSES.test(fold);
}

/** The source lines of a plain text, folded (line numbers are 1-based). */
export function sourceLines(text: string): Span[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i) => foldLine(raw, i + 1));
}

const LATIN_END = /[A-Za-z0-9]$/;
const LATIN_START = /^[A-Za-z0-9]/;

/** Numbers seen at paragraph starts, to tell a list's next number from a number that only begins a wrapped line. */
class Sequence {
  private item: number | undefined;
  private readonly nums = new Map<string, number>();

  /** The block a line starts, if it is consistent with what came before. */
  consistent(b: BlockStart | undefined): BlockStart | undefined {
    if (!b) return undefined;
    if (b.kind === 'item') return this.item === undefined || b.n === 1 || b.n === this.item + 1 ? b : undefined;
    if (b.kind === 'num') return b.n === 1 || this.nums.get(b.style) === b.n - 1 ? b : undefined;
    return b;
  }

  record(b: BlockStart | undefined, role?: LineRole): void {
    if (role?.kind === 'item') this.item = role.n;
    if (b?.kind === 'item') this.item = b.n;
    if (b?.kind === 'num') this.nums.set(b.style, b.n);
  }
}

interface Open {
  spans: Span[];
  role?: LineRole;
  cell?: boolean;
  last: SourceLine;
}

/**
 * Groups the lines of a document into trimmed, non-empty paragraphs (a line
 * an item table gave a role is kept even when empty) and lists the chrome
 * lines taken out. Plain text may be passed as a string.
 */
export function paragraphs(source: SourceDoc | string): { paragraphs: Para[]; chrome: Skipped[] } {
  const doc = typeof source === 'string' ? textDoc(source) : source;
  const lines = doc.lines;
  const folded = lines.map((l, i) => trim(foldLine(l.text, i + 1)));
  const out: Open[] = [];
  const chrome: Skipped[] = [];
  const seq = new Sequence();
  let afterBlank = false;
  let titleRest = 0;
  /** A long chrome line was cut by a wrap: a short line after it is its rest ("…大汉版通发布系" / "统"). */
  let chromeGoesOn = false;

  /** Folds of the text lines from index i on (chrome and blank lines left out), for looking ahead at a title. */
  const ahead = (i: number): string[] => {
    const f: string[] = [];
    for (let j = i; j < lines.length && f.length < 3; j++) {
      const t = folded[j]!.fold;
      if (!t) break;
      if (!lines[j]!.skip && !isChrome(t)) f.push(t);
    }
    return f;
  };

  const continues = (open: Open, fold: string, i: number): boolean => {
    const prev = open.spans.at(-1)!.fold;
    const full = open.last.full === true;
    if (open.cell) {
      // In a table cell the columns say what is a field: only a list number starts a paragraph there.
      const b = seq.consistent(blockStart(fold));
      return b?.kind === 'num' ? false : endsSentence(prev) ? full : true;
    }
    const paraFold = open.spans.map((s) => s.fold).join('');
    if (standsAlone(paraFold, full)) return false;
    const next = ahead(i);
    const block = titleLines(next) > 0 || signatureLines(next) ? ({ kind: 'title' } as const) : seq.consistent(blockStart(fold));
    if (block) return false;
    return endsSentence(prev) ? full : true;
  };

  lines.forEach((line, i) => {
    const t = folded[i]!;
    const chromeRest = chromeGoesOn && t.fold !== '' && t.fold.length <= 12 && !line.role && !line.cell && line.brk === undefined && !blockStart(t.fold);
    if (line.skip || (!line.role && !line.cell && t.fold && isChrome(t.fold)) || chromeRest) {
      chromeGoesOn = !line.skip && !chromeRest && (line.full === true || t.fold.length >= 14) && !endsSentence(t.fold);
      const reason = line.skip ?? '页面内容（非正文）';
      const n = i + 1;
      // Chrome that began on the lines before ("信息来源: 市生态环境局 发布日" / "期: 2020-12-02 12" / ":15 浏览次数:"): the open paragraph was chrome too.
      const open = out.at(-1);
      const joined = open ? open.spans.map((s) => s.fold).join('') + t.fold : '';
      if (!line.skip && open && !open.role && !open.cell && !afterBlank && line.brk !== 'para' && joined.length <= 80 && continues(open, t.fold, i) && isChrome(joined)) {
        out.pop();
        chrome.push({ lines: [lineRange(concat(open.spans))[0], n], reason });
        afterBlank = true;
        return;
      }
      const prev = chrome.at(-1);
      if (prev && prev.lines[1] === n - 1 && prev.reason === reason) prev.lines[1] = n;
      else chrome.push({ lines: [n, n], reason });
      return;
    }
    chromeGoesOn = false;
    if (!t.fold && !line.role) {
      afterBlank = true;
      return;
    }
    const open = out.at(-1);
    let join: boolean;
    if (!open || line.role || afterBlank || line.brk === 'para' || Boolean(line.cell) !== Boolean(open.last.cell)) join = false;
    else if (titleRest > 0 || line.brk === 'wrap') join = true;
    else join = continues(open, t.fold, i);
    afterBlank = false;

    if (join) {
      open!.spans.push(t);
      open!.last = line;
      titleRest = Math.max(0, titleRest - 1);
      return;
    }
    out.push({ spans: [t], last: line, ...(line.role ? { role: line.role } : {}), ...(line.cell ? { cell: true } : {}) });
    seq.record(line.role ? undefined : seq.consistent(blockStart(t.fold)), line.role);
    titleRest = line.role ? 0 : Math.max(0, titleLines(ahead(i)) - 1);
  });

  // Chrome a wrap broke over lines ("Produced By 大汉网络" / "大汉版通发布系统") is known once joined.
  const paras: Para[] = [];
  for (const o of out) {
    const para = joinSpans(o, doc.format === 'pdf');
    if (!o.role && !o.cell && o.spans.length > 1 && para.fold.length <= 80 && isChrome(para.fold)) chrome.push({ lines: lineRange(para), reason: '页面内容（非正文）' });
    else paras.push(para);
  }
  return { paragraphs: paras, chrome };
}

/** One paragraph's lines joined: Han text without a separator; Latin words of a layout that wraps at spaces with one. */
function joinSpans(open: Open, wordWrap: boolean): Para {
  const parts: Span[] = [];
  for (const s of open.spans) {
    const prev = parts.at(-1);
    if (wordWrap && prev && LATIN_END.test(prev.fold) && LATIN_START.test(s.fold)) {
      // The space stands where the line broke: it maps to the end of the line before.
      const space = plainSpan(' ');
      parts.push({ raw: ' ', fold: ' ', src: space.src, lines: [prev.lines.at(-1)!, prev.lines.at(-1)!] });
    }
    parts.push(s);
  }
  const para: Para = concat(parts);
  return { ...para, ...(open.role ? { role: open.role } : {}), ...(open.cell ? { cell: true } : {}) };
}

/** Line range of a run of paragraphs. */
export function rangeOf(spans: readonly Span[]): [number, number] {
  return [lineRange(spans[0]!)[0], lineRange(spans.at(-1)!)[1]];
}
