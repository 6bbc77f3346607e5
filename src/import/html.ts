/**
 * A saved web page (.html) as lines of text: what a browser shows, a
 * paragraph per block element, with the page's chrome marked so it is
 * listed as skipped rather than read — navigation bars, the site's header
 * and footer, link rows ("打印本页 关闭窗口"), breadcrumbs and copyright
 * lines (the last ones by their text, chrome.ts). Tables are read with their
 * spans (item-table.ts). Parsed with parse5, the HTML standard's algorithm,
 * because saved government pages are rarely well-formed.
 *
 * Lines are located by the line of the HTML file their text starts on.
 */
import { parse, type DefaultTreeAdapterTypes as T } from 'parse5';
import { decodeText } from './ledger-file.ts';
import { tableLines } from './item-table.ts';
import type { Loc, SourceDoc, SourceLine } from './source.ts';
import type { TableCell } from './tables.ts';

/** Decodes a page by its declared charset (GBK/GB2312 pages are common), else as UTF-8 or GB18030. */
export function decodeHtml(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const declared = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (declared && /^(gb2312|gbk|gb18030|x-gbk|cp936)$/.test(declared)) return new TextDecoder('gb18030').decode(bytes);
  if (declared === 'big5') return new TextDecoder('big5').decode(bytes);
  return decodeText(bytes);
}

const BLOCK = new Set(
  'address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul caption'.split(' '),
);
const SILENT = new Set('head script style noscript template iframe object embed svg canvas select option button input textarea map audio video'.split(' '));
const HAN_EDGE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef“”‘’]/u;

const attr = (el: T.Element, name: string) => el.attrs.find((a) => a.name === name)?.value;
const isElement = (n: T.ChildNode | T.Node): n is T.Element => 'tagName' in n;
const isText = (n: T.ChildNode): n is T.TextNode => n.nodeName === '#text';

function hidden(el: T.Element): boolean {
  const style = (attr(el, 'style') ?? '').replace(/\s+/g, '').toLowerCase();
  return attr(el, 'hidden') !== undefined || style.includes('display:none') || style.includes('visibility:hidden') || attr(el, 'aria-hidden') === 'true';
}

/** Characters of text and of link text under a node, and the number of links: a block mostly of links is navigation. */
function linkStats(node: T.Element): { text: number; linked: number; links: number } {
  let text = 0;
  let linked = 0;
  let links = 0;
  const walk = (n: T.ChildNode, inLink: boolean) => {
    if (isText(n)) {
      const len = n.value.replace(/\s+/g, '').length;
      text += len;
      if (inLink) linked += len;
    } else if (isElement(n) && !SILENT.has(n.tagName)) {
      const link = n.tagName === 'a' && attr(n, 'href') !== undefined;
      if (link) links++;
      for (const c of n.childNodes) walk(c, inLink || link);
    }
  };
  for (const c of node.childNodes) walk(c, false);
  return { text, linked, links };
}

function isNavigation(el: T.Element, inDocument: boolean): string | undefined {
  if (el.tagName === 'nav') return '导航';
  if (el.tagName === 'aside' && !inDocument) return '侧栏';
  if (el.tagName === 'header' && !inDocument) return '页头';
  if (el.tagName === 'footer' && !inDocument) return '页脚';
  if (!BLOCK.has(el.tagName)) return undefined;
  const s = linkStats(el);
  // Three or more links making up most of the text, in short pieces: a menu, a link list, "上一篇 / 下一篇".
  if (s.links >= 3 && s.linked >= 0.8 * s.text && s.text / s.links <= 16) return '导航链接';
  return undefined;
}

/** Reads the text of a saved page. */
export function readHtml(bytes: Uint8Array): SourceDoc {
  const document = parse(decodeHtml(bytes), { sourceCodeLocationInfo: true });
  const out: SourceLine[] = [];
  emit(document.childNodes, out, { skip: undefined, inDocument: false, pre: false });
  return { format: 'html', lines: out };
}

interface Context {
  /** Why the lines under this node are skipped (navigation, a site header …). */
  skip: string | undefined;
  /** Inside <article> or <main>: a <header> there is the document's own. */
  inDocument: boolean;
  pre: boolean;
}

/** Collects a run of inline text into lines; a block boundary ends the current line. */
class LineBuilder {
  private text = '';
  private loc: Loc | undefined;
  private space: 'none' | 'space' | 'newline' = 'none';
  private brk: 'para' | undefined = 'para';
  private skip: string | undefined;

  constructor(private readonly out: SourceLine[]) {}

  add(value: string, loc: Loc, ctx: Context): void {
    if (ctx.pre) {
      value.split('\n').forEach((part, k) => {
        if (k > 0) this.lineBreak(ctx);
        this.append(part, loc);
      });
      return;
    }
    const pieces = value.split(/([\t\n\r\f ]+)/);
    for (const piece of pieces) {
      if (!piece) continue;
      if (/^[\t\n\r\f ]+$/.test(piece)) {
        if (this.text) this.space = piece.includes('\n') || this.space === 'newline' ? 'newline' : 'space';
        continue;
      }
      if (this.space !== 'none') {
        // Source line breaks between Han characters are not spaces on the page.
        const joinHan = this.space === 'newline' && HAN_EDGE.test(this.text.at(-1)!) && HAN_EDGE.test(piece[0]!);
        if (!joinHan) this.text += ' ';
        this.space = 'none';
      }
      this.append(piece, loc);
    }
    this.skip = ctx.skip;
  }

  private append(piece: string, loc: Loc): void {
    if (!this.text && !piece) return;
    this.loc ??= loc;
    this.text += piece;
  }

  /** <br>: the line ends; whether a paragraph does is for the text to say (two in a row: it does). */
  lineBreak(ctx: Context): void {
    if (this.text) {
      this.flush();
      this.brk = undefined;
    } else {
      this.brk = 'para';
    }
    this.skip = ctx.skip;
  }

  /** A block boundary: the line ends, and the next one starts a paragraph. */
  block(): void {
    this.flush();
    this.brk = 'para';
  }

  private flush(): void {
    if (this.text.trim() && this.loc) {
      const line: SourceLine = { text: this.text, loc: this.loc };
      if (this.brk) line.brk = this.brk;
      if (this.skip) line.skip = this.skip;
      this.out.push(line);
    }
    this.text = '';
    this.loc = undefined;
    this.space = 'none';
  }
}

function emit(nodes: readonly T.ChildNode[], out: SourceLine[], ctx: Context, inherited?: LineBuilder): void {
  const builder = inherited ?? new LineBuilder(out);
  for (const n of nodes) {
    if (isText(n)) {
      builder.add(n.value, { kind: 'line', line: n.sourceCodeLocation?.startLine ?? 0 }, ctx);
      continue;
    }
    if (!isElement(n) || SILENT.has(n.tagName) || hidden(n)) continue;
    if (n.tagName === 'br') {
      builder.lineBreak(ctx);
      continue;
    }
    if (n.tagName === 'table') {
      builder.block();
      const lines = readTable(n, ctx);
      out.push(...lines);
      continue;
    }
    const block = BLOCK.has(n.tagName);
    if (block) builder.block();
    const skip = ctx.skip ?? isNavigation(n, ctx.inDocument);
    const inner: Context = { skip, inDocument: ctx.inDocument || n.tagName === 'article' || n.tagName === 'main', pre: ctx.pre || n.tagName === 'pre' };
    emit(n.childNodes, out, inner, builder);
    if (block) builder.block();
  }
  if (!inherited) builder.block();
}

/** The rows of a <table> (directly or in thead/tbody/tfoot), with their spans; cells read as lines. */
function readTable(table: T.Element, ctx: Context): SourceLine[] {
  const rows: TableCell[][] = [];
  const rowLocs: Loc[] = [];
  const collect = (el: T.Element) => {
    for (const c of el.childNodes) {
      if (!isElement(c) || hidden(c)) continue;
      if (c.tagName === 'tr') {
        const cells: TableCell[] = [];
        for (const cell of c.childNodes) {
          if (!isElement(cell) || (cell.tagName !== 'td' && cell.tagName !== 'th') || hidden(cell)) continue;
          const lines: SourceLine[] = [];
          emit(cell.childNodes, lines, { ...ctx, skip: ctx.skip ?? isNavigation(cell, ctx.inDocument) });
          cells.push({ lines, colSpan: Number(attr(cell, 'colspan') ?? 1) || 1, rowSpan: Number(attr(cell, 'rowspan') ?? 1) || 1 });
        }
        rows.push(cells);
        rowLocs.push({ kind: 'line', line: c.sourceCodeLocation?.startLine ?? 0 });
      } else if (c.tagName === 'thead' || c.tagName === 'tbody' || c.tagName === 'tfoot') {
        collect(c);
      }
    }
  };
  collect(table);
  const caption = table.childNodes.find((c): c is T.Element => isElement(c) && c.tagName === 'caption');
  const before: SourceLine[] = [];
  if (caption) emit(caption.childNodes, before, ctx);
  const loc: Loc = { kind: 'line', line: table.sourceCodeLocation?.startLine ?? 0 };
  const skip = ctx.skip;
  const lines = tableLines({ rows, loc, rowLocs });
  return [...before, ...(skip ? lines.map((l) => ({ ...l, skip: l.skip ?? skip })) : lines)];
}
