/**
 * A Word file (.docx) as lines of text, read straight from its XML
 * (word/document.xml): a line per paragraph, tables with their merged cells
 * (gridSpan, vMerge), and the list numbers Word draws itself — an office's
 * "（一）" or "1." is often automatic numbering, absent from the text, so it
 * is rendered from numbering.xml as Word shows it. Deleted revisions, field
 * codes and hidden text are left out; inserted revisions are read.
 *
 * Read directly rather than through a converter (mammoth gives HTML and
 * drops the numbering's format): the importer needs the paragraphs, the
 * cells with their spans and the printed numbers, nothing else. Lines are
 * located by paragraph (第12段) or table row (表1第3行).
 */
import { unzipSync } from 'fflate';
import { toChineseNumeral } from './numerals.ts';
import { tableLines } from './item-table.ts';
import type { Loc, SourceDoc, SourceLine } from './source.ts';
import type { TableCell } from './tables.ts';
import { child, elements, parseXml, type XmlElement } from './xml.ts';

interface Level {
  start: number;
  format: string;
  text: string;
  suffix: string;
}

/** List definitions: numId → levels (with start overrides applied). */
type Numbering = Map<string, Level[]>;

function readNumbering(xml: string | undefined): Numbering {
  const out: Numbering = new Map();
  if (!xml) return out;
  const root = parseXml(xml);
  const abstract = new Map<string, Level[]>();
  for (const a of elements(root, 'w:abstractNum')) {
    const levels: Level[] = [];
    for (const lvl of elements(a, 'w:lvl')) {
      levels[Number(lvl.attrs['w:ilvl'] ?? 0)] = {
        start: Number(child(lvl, 'w:start')?.attrs['w:val'] ?? 1),
        format: child(lvl, 'w:numFmt')?.attrs['w:val'] ?? 'decimal',
        text: child(lvl, 'w:lvlText')?.attrs['w:val'] ?? '',
        suffix: child(lvl, 'w:suff')?.attrs['w:val'] ?? 'tab',
      };
    }
    abstract.set(a.attrs['w:abstractNumId'] ?? '', levels);
  }
  for (const n of elements(root, 'w:num')) {
    const levels = (abstract.get(child(n, 'w:abstractNumId')?.attrs['w:val'] ?? '') ?? []).map((l) => ({ ...l }));
    for (const o of elements(n, 'w:lvlOverride')) {
      const start = child(o, 'w:startOverride')?.attrs['w:val'];
      const level = levels[Number(o.attrs['w:ilvl'] ?? 0)];
      if (start !== undefined && level) level.start = Number(start);
    }
    out.set(n.attrs['w:numId'] ?? '', levels);
  }
  return out;
}

/** Paragraph styles that carry numbering: styleId → [numId, ilvl], following basedOn. */
function readStyleNumbering(xml: string | undefined): Map<string, [string, number]> {
  const out = new Map<string, [string, number]>();
  if (!xml) return out;
  const styles = new Map(elements(parseXml(xml), 'w:style').map((s) => [s.attrs['w:styleId'] ?? '', s]));
  const resolve = (id: string, depth = 0): [string, number] | undefined => {
    const s = styles.get(id);
    if (!s || depth > 10) return undefined;
    const numPr = child(child(s, 'w:pPr'), 'w:numPr');
    const numId = child(numPr, 'w:numId')?.attrs['w:val'];
    if (numId !== undefined) return [numId, Number(child(numPr, 'w:ilvl')?.attrs['w:val'] ?? 0)];
    const based = child(s, 'w:basedOn')?.attrs['w:val'];
    return based ? resolve(based, depth + 1) : undefined;
  };
  for (const id of styles.keys()) {
    const r = resolve(id);
    if (r) out.set(id, r);
  }
  return out;
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';
const LEGAL = '零壹贰叁肆伍陆柒捌玖';

/** A list counter as Word prints it in a format. */
function formatNumber(n: number, format: string): string {
  switch (format) {
    case 'chineseCounting':
    case 'chineseCountingThousand':
    case 'taiwaneseCounting':
    case 'taiwaneseCountingThousand':
    case 'japaneseCounting':
    case 'ideographTraditional':
      return n < 10_000 ? toChineseNumeral(n) : String(n);
    case 'ideographDigital':
      return [...String(n)].map((d) => '〇一二三四五六七八九'[Number(d)]).join('');
    case 'chineseLegalSimplified':
      return n < 10 ? LEGAL[n]! : String(n);
    case 'decimalEnclosedCircle':
    case 'decimalEnclosedCircleChinese':
      return CIRCLED[n - 1] ?? String(n);
    case 'decimalFullWidth':
    case 'decimalFullWidth2':
      return [...String(n)].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    case 'lowerLetter':
    case 'upperLetter': {
      const letter = String.fromCharCode(97 + ((n - 1) % 26)).repeat(Math.floor((n - 1) / 26) + 1);
      return format === 'upperLetter' ? letter.toUpperCase() : letter;
    }
    case 'lowerRoman':
    case 'upperRoman': {
      const roman = toRoman(n);
      return format === 'lowerRoman' ? roman.toLowerCase() : roman;
    }
    case 'none':
      return '';
    default:
      return String(n);
  }
}

function toRoman(n: number): string {
  const table: [number, string][] = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let out = '';
  for (const [v, s] of table) while (n >= v) (out += s), (n -= v);
  return out;
}

/** Counts list paragraphs as Word does: per list, a level's counter restarting under a higher level. */
class Counters {
  private readonly counts = new Map<string, number[]>();

  constructor(private readonly numbering: Numbering) {}

  label(numId: string, ilvl: number): string {
    const levels = this.numbering.get(numId);
    const level = levels?.[ilvl];
    if (!levels || !level || numId === '0') return '';
    const counts = this.counts.get(numId) ?? [];
    counts[ilvl] = counts[ilvl] === undefined ? level.start : counts[ilvl]! + 1;
    counts.length = ilvl + 1;
    this.counts.set(numId, counts);
    if (level.format === 'bullet') return '';
    const text = level.text.replace(/%([1-9])/g, (_, k: string) => {
      const i = Number(k) - 1;
      return formatNumber(counts[i] ?? levels[i]?.start ?? 1, levels[i]?.format ?? 'decimal');
    });
    return text + (level.suffix === 'space' ? ' ' : level.suffix === 'nothing' ? '' : '\t');
  }
}

const SKIP = new Set(['w:del', 'w:moveFrom', 'w:delText', 'w:instrText', 'w:drawing', 'w:pict', 'w:object', 'mc:AlternateContent', 'w:footnoteReference', 'w:endnoteReference', 'w:commentReference', 'w:rPr', 'w:pPr']);

/** The text of a paragraph, split at its manual line breaks. */
function paragraphText(p: XmlElement): string[] {
  const parts = [''];
  const walk = (el: XmlElement) => {
    for (const c of el.children) {
      if (typeof c === 'string' || SKIP.has(c.name)) continue;
      if (c.name === 'w:r' && child(child(c, 'w:rPr'), 'w:vanish')) continue;
      switch (c.name) {
        case 'w:t':
          parts[parts.length - 1] += c.children.filter((x): x is string => typeof x === 'string').join('');
          break;
        case 'w:tab':
          parts[parts.length - 1] += '\t';
          break;
        case 'w:br':
        case 'w:cr':
          if (c.attrs['w:type'] !== 'page' && c.attrs['w:type'] !== 'column') parts.push('');
          break;
        case 'w:noBreakHyphen':
          parts[parts.length - 1] += '-';
          break;
        case 'w:sym': {
          const code = parseInt(c.attrs['w:char'] ?? '', 16);
          // Symbol-font codes (F0xx) have no Unicode meaning.
          if (Number.isFinite(code) && code < 0xf000) parts[parts.length - 1] += String.fromCodePoint(code);
          break;
        }
        default:
          walk(c);
      }
    }
  };
  walk(p);
  return parts;
}

interface Reader {
  counters: Counters;
  styleNumbering: Map<string, [string, number]>;
  paragraph: number;
  table: number;
}

/** A paragraph's lines: its list number (if any) before the text, a line per manual break. */
function paragraphLines(p: XmlElement, r: Reader, loc: Loc): SourceLine[] {
  const pPr = child(p, 'w:pPr');
  const numPr = child(pPr, 'w:numPr');
  const style = child(pPr, 'w:pStyle')?.attrs['w:val'];
  const fromStyle = style ? r.styleNumbering.get(style) : undefined;
  const numId = child(numPr, 'w:numId')?.attrs['w:val'] ?? fromStyle?.[0];
  const ilvl = Number(child(numPr, 'w:ilvl')?.attrs['w:val'] ?? fromStyle?.[1] ?? 0);
  const parts = paragraphText(p);
  const label = numId !== undefined && parts.join('').trim() ? r.counters.label(numId, ilvl) : '';
  parts[0] = label + parts[0]!;
  return parts.map((text, k) => (k === 0 ? { text, loc, brk: 'para' as const } : { text, loc }));
}

/** A table's rows: cells with their spans; a vMerge continuation lengthens the cell above. */
function readTable(tbl: XmlElement, r: Reader): SourceLine[] {
  const tableNo = ++r.table;
  const rows: TableCell[][] = [];
  const rowLocs: Loc[] = [];
  /** The cell starting in each grid column, for vMerge. */
  const above = new Map<number, TableCell>();
  for (const [ri, tr] of elements(tbl, 'w:tr').entries()) {
    const loc: Loc = { kind: 'row', table: tableNo, row: ri + 1 };
    const cells: TableCell[] = [];
    let col = Number(child(child(tr, 'w:trPr'), 'w:gridBefore')?.attrs['w:val'] ?? 0);
    for (let k = 0; k < col; k++) cells.push({ lines: [], colSpan: 1, rowSpan: 1 });
    for (const tc of elements(tr, 'w:tc')) {
      const tcPr = child(tc, 'w:tcPr');
      const span = Number(child(tcPr, 'w:gridSpan')?.attrs['w:val'] ?? 1) || 1;
      const vMerge = child(tcPr, 'w:vMerge');
      if (vMerge && vMerge.attrs['w:val'] !== 'restart' && above.has(col)) {
        above.get(col)!.rowSpan++;
        col += span;
        continue;
      }
      const lines = blockLines(tc, r, loc);
      const cell: TableCell = { lines, colSpan: span, rowSpan: 1 };
      cells.push(cell);
      for (let k = 0; k < span; k++) above.delete(col + k);
      above.set(col, cell);
      col += span;
    }
    rows.push(cells);
    rowLocs.push(loc);
  }
  return tableLines({ rows, loc: { kind: 'row', table: tableNo, row: 1 }, rowLocs });
}

/** The lines of a body or a cell: paragraphs, tables, content controls. */
function blockLines(container: XmlElement, r: Reader, cellLoc?: Loc): SourceLine[] {
  const out: SourceLine[] = [];
  for (const el of elements(container)) {
    if (el.name === 'w:p') {
      const loc: Loc = cellLoc ?? { kind: 'para', para: ++r.paragraph };
      out.push(...paragraphLines(el, r, loc));
    } else if (el.name === 'w:tbl') {
      // A table inside a cell is read as the cell's paragraphs.
      out.push(...(cellLoc ? readTable(el, r).map((l) => ({ ...l, loc: cellLoc })) : readTable(el, r)));
    } else if (el.name === 'w:sdt') {
      const content = child(el, 'w:sdtContent');
      if (content) out.push(...blockLines(content, r, cellLoc));
    } else if (el.name === 'w:customXml' || el.name === 'w:ins' || el.name === 'w:moveTo') {
      out.push(...blockLines(el, r, cellLoc));
    }
  }
  return out;
}

/** Reads the text of a Word file. */
export function readDocx(bytes: Uint8Array): SourceDoc {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => /^word\/(document|numbering|styles)\.xml$/.test(f.name) });
  } catch {
    throw new Error('无法打开 Word 文件（不是有效的 .docx 压缩包）。旧版 .doc 请先另存为 .docx。');
  }
  const text = (name: string) => (files[name] ? new TextDecoder('utf-8').decode(files[name]) : undefined);
  const document = text('word/document.xml');
  if (!document) throw new Error('Word 文件中没有正文（word/document.xml）。');
  const body = child(parseXml(document), 'w:body');
  if (!body) throw new Error('Word 文件的正文为空。');
  const reader: Reader = { counters: new Counters(readNumbering(text('word/numbering.xml'))), styleNumbering: readStyleNumbering(text('word/styles.xml')), paragraph: 0, table: 0 };
  return { format: 'docx', lines: blockLines(body, reader) };
}
