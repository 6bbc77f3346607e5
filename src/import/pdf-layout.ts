/**
 * The layout of a PDF's text layer turned back into lines, paragraphs and
 * tables. pdf.ts extracts, per page, the text runs with their positions and
 * the ruling lines drawn on the page; everything here is geometry on those,
 * in page coordinates with y growing downwards.
 *
 * - Lines: runs on one baseline, left to right. Spaces a justified line puts
 *   between Chinese characters are layout, not text, and are dropped.
 * - Running headers and footers: lines at the top or bottom of the page that
 *   repeat on other pages (page numbers counted as equal), and page numbers
 *   ("- 3 -", "3/22", "第3页") — marked to be listed as skipped.
 * - Paragraphs: a line starts a paragraph when it is indented, follows a
 *   line that ended short of the margin, a larger gap or another font size;
 *   a line that ran to the margin and is followed by an unindented one — on
 *   the same page or the next — is wrapped, in a document whose paragraphs
 *   are indented. Centred title lines of one size are one title.
 * - Tables: the ruling lines of a bordered table give its grid; a missing
 *   rule between two slots means a cell spanning them. A table continuing on
 *   the next page (same columns) is one table, its repeated header dropped.
 */
import { isChrome } from './chrome.ts';
import { unifyIdeographs } from './cjk-compat.ts';
import { foldText } from './normalize.ts';
import { endsSentence } from './paragraphs.ts';
import { tableLines } from './item-table.ts';
import type { Loc, SourceDoc, SourceLine } from './source.ts';
import { cellText, type TableCell } from './tables.ts';

/** A run of text: its string, the start of its baseline, its advance and font size. */
export interface Run {
  str: string;
  x: number;
  y: number;
  w: number;
  size: number;
}

/** A ruling line (or a thin filled rectangle): its bounding box. */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PdfPage {
  width: number;
  height: number;
  runs: Run[];
  rules: Rule[];
  /** Whether the page paints images (a page with images and no text is a scan). */
  images: number;
}

interface Line {
  text: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
  page: number;
  /** Line number on the page, counting every baseline from the top. */
  n: number;
  skip?: string;
}

const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef“”‘’…—]/u;

/** The text of a line from its runs, left to right. */
function lineText(runs: readonly Run[]): string {
  let text = '';
  let end = -Infinity;
  for (const r of [...runs].sort((a, b) => a.x - b.x)) {
    const gap = r.x - end;
    if (text && gap > 0.25 * r.size && !/\s$/.test(text) && !/^\s/.test(r.str)) text += ' ';
    text += r.str;
    end = Math.max(end, r.x + r.w);
  }
  // Justification spreads Chinese text; the spaces pdf.js reads into those gaps are not the document's.
  const unified = unifyIdeographs(text);
  return unified.replace(new RegExp(`(?<=${CJK.source})\\s+|\\s+(?=${CJK.source})`, 'gu'), '').trim();
}

/** Groups runs into lines by baseline. */
function groupLines(runs: readonly Run[], page: number, lineNo: (y: number) => number): Line[] {
  const sorted = [...runs].filter((r) => r.str.trim() || r.w > 0).sort((a, b) => a.y - b.y || a.x - b.x);
  const groups: Run[][] = [];
  for (const r of sorted) {
    const g = groups.at(-1);
    if (g && Math.abs(g[0]!.y - r.y) <= 0.4 * Math.max(r.size, g[0]!.size)) g.push(r);
    else groups.push([r]);
  }
  return groups
    .map((g) => {
      const visible = g.filter((r) => r.str.trim());
      const sizes = visible.map((r) => r.size).sort((a, b) => a - b);
      return {
        text: lineText(g),
        x0: Math.min(...visible.map((r) => r.x)),
        x1: Math.max(...visible.map((r) => r.x + r.w)),
        y: g[0]!.y,
        size: sizes[Math.floor(sizes.length / 2)] ?? 0,
        page,
        n: lineNo(g[0]!.y),
      };
    })
    .filter((l) => l.text);
}

/** Line numbers of a page: every distinct baseline from the top, whatever column it is in. */
function lineNumbers(runs: readonly Run[]): (y: number) => number {
  const ys = runs
    .filter((r) => r.str.trim())
    .map((r) => ({ y: r.y, size: r.size }))
    .sort((a, b) => a.y - b.y);
  const rows: number[] = [];
  for (const { y, size } of ys) if (!rows.length || y - rows.at(-1)! > 0.4 * size) rows.push(y);
  return (y) => {
    let best = 0;
    for (let i = 0; i < rows.length; i++) if (Math.abs(rows[i]! - y) < Math.abs(rows[best]! - y)) best = i;
    return best + 1;
  };
}

// ---------------------------------------------------------------------------
// Tables from ruling lines.

interface Segment {
  /** The fixed coordinate (y of a horizontal rule, x of a vertical one) and the extent along it. */
  at: number;
  from: number;
  to: number;
}

interface Grid {
  xs: number[];
  ys: number[];
  /** Slot (r, c) → cell id; a cell covers a rectangle of slots. */
  owner: number[][];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const TOL = 2;

/** Collinear pieces joined into whole rules. */
function mergeSegments(segments: Segment[]): Segment[] {
  const sorted = [...segments].sort((a, b) => a.at - b.at || a.from - b.from);
  const out: Segment[] = [];
  for (const s of sorted) {
    const last = out.findLast((o) => Math.abs(o.at - s.at) <= 1 && s.from <= o.to + TOL);
    if (last) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

/** Distinct positions of rules; double rules a few points apart are one. */
function cluster(values: number[]): number[] {
  const out: number[] = [];
  for (const v of [...values].sort((a, b) => a - b)) if (!out.length || v - out.at(-1)! > 3.5) out.push(v);
  return out;
}

const covers = (segs: readonly Segment[], at: number, point: number) => segs.some((s) => Math.abs(s.at - at) <= 4 && s.from - TOL <= point && point <= s.to + TOL);

/** The bordered tables drawn on a page. */
function findGrids(rules: readonly Rule[]): Grid[] {
  const hs = mergeSegments(rules.filter((r) => r.y1 - r.y0 <= 2.5 && r.x1 - r.x0 >= 4).map((r) => ({ at: (r.y0 + r.y1) / 2, from: r.x0, to: r.x1 })));
  const vs = mergeSegments(rules.filter((r) => r.x1 - r.x0 <= 2.5 && r.y1 - r.y0 >= 4).map((r) => ({ at: (r.x0 + r.x1) / 2, from: r.y0, to: r.y1 })));
  // Connected groups of crossing rules: one group, one table.
  const parent = [...hs.map((_, i) => i), ...vs.map((_, i) => hs.length + i)];
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  hs.forEach((h, i) =>
    vs.forEach((v, j) => {
      if (v.at >= h.from - TOL && v.at <= h.to + TOL && h.at >= v.from - TOL && h.at <= v.to + TOL) parent[find(i)] = find(hs.length + j);
    }),
  );
  const groups = new Map<number, { h: Segment[]; v: Segment[] }>();
  hs.forEach((h, i) => {
    const g = groups.get(find(i)) ?? { h: [], v: [] };
    g.h.push(h);
    groups.set(find(i), g);
  });
  vs.forEach((v, j) => {
    const g = groups.get(find(hs.length + j)) ?? { h: [], v: [] };
    g.v.push(v);
    groups.set(find(hs.length + j), g);
  });
  const grids: Grid[] = [];
  for (const { h, v } of groups.values()) {
    const ys = cluster(h.map((s) => s.at));
    const xs = cluster(v.map((s) => s.at));
    // A table cut by the page has no rule where the page cut it: its sides still show how far it goes.
    const top = Math.min(...v.map((s) => s.from));
    const bottom = Math.max(...v.map((s) => s.to));
    if (ys.length && top < ys[0]! - 4) ys.unshift(top);
    if (ys.length && bottom > ys.at(-1)! + 4) ys.push(bottom);
    if (ys.length < 2 || xs.length < 3) continue;
    // Slots joined where no rule separates them: a merged cell.
    const id = (r: number, c: number) => r * xs.length + c;
    const up = ys.slice(0, -1).map((_, r) => xs.slice(0, -1).map((_, c) => id(r, c)));
    const uf = new Map<number, number>();
    const root = (k: number): number => (uf.get(k) === undefined || uf.get(k) === k ? k : root(uf.get(k)!));
    for (let r = 0; r + 1 < ys.length; r++) {
      for (let c = 0; c + 1 < xs.length; c++) {
        const midY = (ys[r]! + ys[r + 1]!) / 2;
        const midX = (xs[c]! + xs[c + 1]!) / 2;
        if (c + 2 < xs.length && !covers(v, xs[c + 1]!, midY)) uf.set(root(id(r, c + 1)), root(id(r, c)));
        if (r + 2 < ys.length && !covers(h, ys[r + 1]!, midX)) uf.set(root(id(r + 1, c)), root(id(r, c)));
      }
    }
    grids.push({ xs, ys, owner: up.map((row) => row.map(root)), x0: xs[0]!, x1: xs.at(-1)!, y0: ys[0]!, y1: ys.at(-1)! });
  }
  return grids;
}

interface PageTable {
  grid: Grid;
  /** Rows of cells (HTML semantics: a spanning cell once, at its top-left). */
  rows: TableCell[][];
  rowLocs: Loc[];
  y: number;
}

/** A table's cells with their text: runs placed in the slot under them, then read as lines within the cell. */
function readGrid(grid: Grid, runs: readonly Run[], page: number, lineNo: (y: number) => number): PageTable {
  const slotRuns = new Map<number, Run[]>();
  for (const r of runs) {
    const mid = r.y - r.size * 0.35;
    const c = grid.xs.findIndex((x, i) => i + 1 < grid.xs.length && r.x + 0.5 >= x && r.x + 0.5 < grid.xs[i + 1]!);
    const row = grid.ys.findIndex((y, i) => i + 1 < grid.ys.length && mid >= y && mid < grid.ys[i + 1]!);
    if (c < 0 || row < 0) continue;
    const owner = grid.owner[row]![c]!;
    slotRuns.set(owner, [...(slotRuns.get(owner) ?? []), r]);
  }
  const rows: TableCell[][] = [];
  const rowLocs: Loc[] = [];
  const seen = new Set<number>();
  for (let r = 0; r < grid.owner.length; r++) {
    const cells: TableCell[] = [];
    for (let c = 0; c < grid.owner[r]!.length; c++) {
      const owner = grid.owner[r]![c]!;
      if (seen.has(owner)) continue;
      seen.add(owner);
      let colSpan = 1;
      while (grid.owner[r]![c + colSpan] === owner) colSpan++;
      let rowSpan = 1;
      while (grid.owner[r + rowSpan]?.[c] === owner) rowSpan++;
      const left = grid.xs[c]!;
      const right = grid.xs[c + colSpan]!;
      cells.push({ lines: cellLines(groupLines(slotRuns.get(owner) ?? [], page, lineNo), left, right), colSpan, rowSpan });
    }
    rows.push(cells);
    rowLocs.push({ kind: 'page', page, line: lineNo(grid.ys[r]! + 1) });
  }
  return { grid, rows, rowLocs, y: grid.y0 };
}

/** A cell's lines, with what their geometry in the cell says about paragraphs. */
function cellLines(lines: readonly Line[], left: number, right: number): SourceLine[] {
  const pad = Math.max(0, Math.min(...lines.map((l) => l.x0 - left)));
  return lines.map((l, k) => {
    const line: SourceLine = { text: l.text, loc: { kind: 'page', page: l.page, line: l.n } };
    line.full = l.x1 >= right - pad - 0.8 * l.size;
    const prev = lines[k - 1];
    if (prev && (prev.x1 < right - pad - 1.2 * prev.size || l.x0 - left - pad > 0.8 * l.size)) line.brk = 'para';
    return line;
  });
}

// ---------------------------------------------------------------------------
// Running headers, footers and page numbers.

const PAGE_NUMBER = /^(?:[-—–\s]*\d+[-—–\s]*|第\s*\d+\s*页(?:\s*[,/]?\s*共\s*\d+\s*页)?|\d+\s*\/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$/i;

function markHeadersFooters(pages: readonly Line[][], heights: readonly number[]): void {
  const key = (l: Line) => l.text.replace(/\d+/g, '#').replace(/\s+/g, '');
  const zone = (l: Line, p: number): 'top' | 'bottom' | undefined => {
    const lines = pages[p]!;
    const h = heights[p]!;
    const i = lines.indexOf(l);
    if (i <= 1 && l.y < h * 0.15) return 'top';
    if (i >= lines.length - 2 && l.y > h * 0.85) return 'bottom';
    return undefined;
  };
  const counts = new Map<string, number>();
  pages.forEach((lines, p) => {
    const keys = new Set(lines.filter((l) => zone(l, p)).map((l) => `${zone(l, p)}:${key(l)}`));
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  const repeated = Math.max(2, Math.ceil(pages.length * 0.4));
  pages.forEach((lines, p) => {
    for (const l of lines) {
      const z = zone(l, p);
      if (!z) continue;
      if (PAGE_NUMBER.test(l.text.trim())) l.skip = '页码';
      else if (pages.length > 1 && (counts.get(`${z}:${key(l)}`) ?? 0) >= repeated) l.skip = z === 'top' ? '页眉' : '页脚';
    }
  });
}

// ---------------------------------------------------------------------------
// Paragraphs from geometry.

interface Metrics {
  left: number;
  right: number;
  size: number;
  pitch: number;
}

function mode(values: readonly number[]): number {
  const count = new Map<number, number>();
  for (const v of values) count.set(Math.round(v), (count.get(Math.round(v)) ?? 0) + 1);
  let best = 0;
  let n = -1;
  for (const [v, c] of count) if (c > n || (c === n && v < best)) (best = v), (n = c);
  return best;
}

/** Left and right margin, body size and line pitch of pages of one size. */
function metrics(lines: readonly Line[]): Metrics {
  const size = mode(lines.map((l) => l.size)) || 12;
  const body = lines.filter((l) => Math.abs(l.size - size) < 0.5);
  const left = mode(body.map((l) => l.x0));
  const far = Math.max(...body.map((l) => l.x1));
  const right = mode(body.filter((l) => l.x1 > far - 2 * size).map((l) => l.x1)) || far;
  const pitches: number[] = [];
  for (let i = 1; i < body.length; i++) if (body[i]!.page === body[i - 1]!.page) pitches.push(body[i]!.y - body[i - 1]!.y);
  return { left, right, size, pitch: mode(pitches.filter((p) => p > 0)) || size * 1.5 };
}

const centred = (l: Line, m: Metrics) => l.x0 > m.left + l.size && Math.abs(l.x0 - m.left - (m.right - l.x1)) < 1.5 * l.size;

/** Marks, on the body lines in reading order, where paragraphs start and which lines ran to the margin. */
function classify(lines: readonly Line[], metricsOf: (l: Line) => Metrics): SourceLine[] {
  const body = lines.filter((l) => !l.skip);
  // Does the document indent its paragraphs? Look at the lines that follow a short line.
  let after = 0;
  let indented = 0;
  body.forEach((l, i) => {
    const prev = body[i - 1];
    if (!prev) return;
    const m = metricsOf(l);
    if (prev.x1 < metricsOf(prev).right - 2 * prev.size && Math.abs(l.size - m.size) < 0.5 && !centred(l, m)) {
      after++;
      if (l.x0 > m.left + 0.8 * l.size) indented++;
    }
  });
  const indents = after >= 3 && indented >= 0.6 * after;

  const out: SourceLine[] = [];
  let prev: Line | undefined;
  for (const l of lines) {
    const line: SourceLine = { text: l.text, loc: { kind: 'page', page: l.page, line: l.n } };
    if (l.skip) {
      line.skip = l.skip;
      out.push(line);
      continue;
    }
    const m = metricsOf(l);
    line.full = l.x1 >= m.right - 0.8 * l.size;
    if (prev) {
      const pm = metricsOf(prev);
      const gap = prev.page === l.page ? l.y - prev.y : pm.pitch;
      const sameSize = Math.abs(prev.size - l.size) < 0.5;
      // A title (larger type, or centred) running over lines: one paragraph.
      const heading = sameSize && (l.size > m.size * 1.1 || (centred(prev, pm) && centred(l, m)));
      if (heading && !endsSentence(foldText(prev.text)) && gap < 1.6 * Math.max(pm.pitch, prev.size * 1.3)) line.brk = 'wrap';
      else if (!sameSize || gap > 1.6 * pm.pitch || l.x0 > m.left + 0.8 * l.size || prev.x1 < pm.right - 1.2 * prev.size) line.brk = 'para';
      else if (indents) line.brk = 'wrap';
    }
    out.push(line);
    prev = l;
  }
  return out;
}

// ---------------------------------------------------------------------------

/** Thrown when a PDF has no usable text layer: the message says why, in Chinese. */
export class NoTextLayer extends Error {}

/** Lines, paragraphs and tables of a PDF's pages. */
export function layoutPdf(pages: readonly PdfPage[]): SourceDoc {
  const chars = pages.reduce((n, p) => n + p.runs.reduce((k, r) => k + r.str.replace(/\s/g, '').length, 0), 0);
  if (chars === 0) {
    const scanned = pages.some((p) => p.images > 0);
    throw new NoTextLayer(
      scanned
        ? `这个 PDF 没有文字层：${pages.length === 1 ? '唯一一页是图像' : `全部 ${pages.length} 页都是图像`}（扫描件或图片转成的 PDF），无法读取文字。请先用文字识别（OCR）转换，或向发布机关索取可复制文字的版本。`
        : '这个 PDF 中没有任何文字，无法导入。',
    );
  }
  const garbled = pages.reduce((n, p) => n + p.runs.reduce((k, r) => k + [...r.str].filter((c) => /[\ue000-\uf8ff\ufffd]/.test(c)).length, 0), 0);
  if (garbled > chars * 0.2) {
    throw new NoTextLayer('这个 PDF 的文字层无法识别为文字（字体没有提供字符编码，复制出来是乱码），无法导入。请先用文字识别（OCR）转换，或索取 Word 或网页版本。');
  }

  type Block = { kind: 'lines'; lines: Line[]; y: number } | { kind: 'table'; table: PageTable; y: number };
  const pageBlocks: Block[][] = [];
  const pageLines: Line[][] = [];
  pages.forEach((page, p) => {
    const number = p + 1;
    const lineNo = lineNumbers(page.runs);
    const grids = findGrids(page.rules);
    const inGrid = (r: Run) => grids.findIndex((g) => r.x + 0.5 >= g.x0 && r.x + 0.5 <= g.x1 && r.y - r.size * 0.35 >= g.y0 && r.y - r.size * 0.35 <= g.y1);
    const tables = grids.map((g, i) => readGrid(g, page.runs.filter((r) => inGrid(r) === i), number, lineNo));
    const lines = groupLines(page.runs.filter((r) => inGrid(r) < 0), number, lineNo);
    pageLines.push(lines);
    // Body lines between tables form runs, in the order they stand on the page.
    const placed = [...lines.map((l) => ({ y: l.y, line: l })), ...tables.map((t) => ({ y: t.y, table: t }))].sort((a, b) => a.y - b.y);
    const blocks: Block[] = [];
    for (const x of placed) {
      const last = blocks.at(-1);
      if ('line' in x && x.line) {
        if (last?.kind === 'lines') last.lines.push(x.line);
        else blocks.push({ kind: 'lines', lines: [x.line], y: x.y });
      } else if ('table' in x && x.table) {
        blocks.push({ kind: 'table', table: x.table, y: x.y });
      }
    }
    if (!page.runs.some((r) => r.str.trim()) && page.images > 0) {
      blocks.push({ kind: 'lines', lines: [{ text: `（第${number}页）`, x0: 0, x1: 0, y: 0, size: 0, page: number, n: 1, skip: '没有文字层的页（扫描图像），未读取' }], y: 0 });
    }
    pageBlocks.push(blocks);
  });
  markHeadersFooters(pageLines, pages.map((p) => p.height));

  // Metrics for each page size (portrait pages and landscape attachment pages differ).
  const sizeKey = (p: number) => `${Math.round(pages[p - 1]!.width)}x${Math.round(pages[p - 1]!.height)}`;
  const byKey = new Map<string, Line[]>();
  pageLines.forEach((lines, p) => {
    const k = sizeKey(p + 1);
    byKey.set(k, [...(byKey.get(k) ?? []), ...lines.filter((l) => !l.skip)]);
  });
  const metricsByKey = new Map([...byKey].map(([k, lines]) => [k, metrics(lines)]));
  const metricsOf = (l: Line) => metricsByKey.get(sizeKey(l.page))!;

  // Reading order: body lines and tables; a table running on over pages is one table.
  const out: SourceLine[] = [];
  let pendingLines: Line[] = [];
  let table: { rows: TableCell[][]; rowLocs: Loc[]; xs: number[]; loc: Loc; header: string; skipped: SourceLine[] } | undefined;
  const flushLines = () => {
    if (!pendingLines.length) return;
    const lines = classify(pendingLines, metricsOf);
    if (out.length && lines[0] && !lines[0].skip) lines[0].brk = 'para';
    out.push(...lines);
    pendingLines = [];
  };
  const flushTable = () => {
    if (!table) return;
    out.push(...tableLines({ rows: table.rows, loc: table.loc, rowLocs: table.rowLocs }), ...table.skipped);
    table = undefined;
  };
  const rowText = (row: readonly TableCell[]) => foldText(row.map(cellText).join('|')).replace(/\s+/g, '');
  for (const blocks of pageBlocks) {
    for (const b of blocks) {
      if (b.kind === 'lines') {
        const text = b.lines.filter((l) => !l.skip);
        if (!text.length) {
          // Header and footer lines do not end a table running over the page.
          if (table) table.skipped.push(...b.lines.map((l) => ({ text: l.text, loc: { kind: 'page' as const, page: l.page, line: l.n }, skip: l.skip! })));
          else pendingLines.push(...b.lines);
          continue;
        }
        flushTable();
        pendingLines.push(...b.lines);
        continue;
      }
      const t = b.table;
      const sameColumns = table && table.xs.length === t.grid.xs.length && table.xs.every((x, i) => Math.abs(x - t.grid.xs[i]!) <= 3);
      if (table && sameColumns && !pendingLines.some((l) => !l.skip)) {
        let rows = t.rows;
        let rowLocs = t.rowLocs;
        if (rows[0] && rowText(rows[0]) === table.header) {
          table.skipped.push(...rows[0].flatMap((c) => c.lines.map((l) => ({ ...l, skip: '表头（续页重复）' }))));
          rows = rows.slice(1);
          rowLocs = rowLocs.slice(1);
        }
        table.rows.push(...rows);
        table.rowLocs.push(...rowLocs);
        continue;
      }
      flushLines();
      flushTable();
      table = { rows: [...t.rows], rowLocs: [...t.rowLocs], xs: t.grid.xs, loc: t.rowLocs[0] ?? { kind: 'page', page: 1, line: 1 }, header: t.rows[0] ? rowText(t.rows[0]) : '', skipped: [] };
    }
  }
  flushTable();
  flushLines();
  return { format: 'pdf', lines: out };
}

/** Whether a line of extracted text is a bare page number (for tests and the text reader). */
export function isPageNumber(text: string): boolean {
  return PAGE_NUMBER.test(text.trim()) || isChrome(foldText(text));
}
