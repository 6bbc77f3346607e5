/**
 * Item lists published as tables: 序号 / 问题 / 整改目标 / 整改时限 /
 * 责任单位 / 责任领导 / 责任人员 / 督导单位 / 整改措施, in Word, HTML or PDF.
 *
 * A table is an item list when its header names at least three of these
 * columns, the problem or the measures among them; columns are recognised by
 * their headers, under the usual names and their variants (反馈问题,
 * 完成时限, 牵头单位, 责任人, 督办单位, 具体措施 …). Each row then becomes the
 * lines of one item, each cell's first line marked with what the table says
 * it is (the item and its number, or the field), so the plan reader places
 * the cells by their columns and reads their text — measures, part numbers —
 * as it reads any paragraph.
 *
 * Rows and cells that span: a 序号 cell merged over several rows makes those
 * rows parts of one item (a row under it whose problem begins (一), (二) is a
 * part); a field cell merged over rows applies to each of them; a row whose
 * 序号 and problem are empty continues the row above (a row that ran over a
 * page). A row spanning the whole width is a heading of the list
 * (一、例行督察反馈问题整改措施清单) or a note, read as a paragraph. A column
 * no field corresponds to (备注, 配合单位) is listed as skipped, never guessed.
 *
 * Any other table is read cell by cell, row by row, as paragraphs.
 */
import { FIELD_LABELS, type FieldKey } from './fields.ts';
import { numberingAt } from './measures.ts';
import { foldText } from './normalize.ts';
import { parseNumeral } from './numerals.ts';
import type { Loc, SourceLine } from './source.ts';
import { cellText, layoutGrid, type Slot, type Table, type TableCell } from './tables.ts';

export type Column = { kind: 'number' } | { kind: 'problem' } | { kind: 'field'; field: FieldKey } | { kind: 'other'; name: string };

/** Header words beyond the field labels that tables use, each with its field. */
const TABLE_LABELS: readonly (readonly [string, FieldKey])[] = [
  ['整改时间', 'deadline'],
  ['完成时间', 'deadline'],
  ['完成期限', 'deadline'],
  ['时限', 'deadline'],
  ['整改举措', 'measures'],
  ['措施', 'measures'],
  ['目标', 'target'],
];
const LABELS = [...FIELD_LABELS, ...TABLE_LABELS].sort((a, b) => b[0].length - a[0].length);
const NUMBER_HEADER = /^(?:序号|编号|序|项次|问题序号|问题编号|事项编号|no\.?)$/i;
const PROBLEM_HEADER = /问题|反馈意见|督察意见/;

/** The kind of column a header names. */
export function columnOf(header: string): Column {
  const h = foldText(header).replace(/\s+/g, '');
  if (NUMBER_HEADER.test(h)) return { kind: 'number' };
  for (const [word, field] of LABELS) if (h.includes(word)) return { kind: 'field', field };
  if (PROBLEM_HEADER.test(h) && !/完成情况|进展/.test(h)) return { kind: 'problem' };
  return { kind: 'other', name: header.trim() };
}

/** The columns of an item list, or undefined when the header does not name one. */
export function itemColumns(headers: readonly string[]): Column[] | undefined {
  const columns = headers.map(columnOf);
  const known = new Set(columns.map((c) => (c.kind === 'field' ? c.field : c.kind)).filter((k) => k !== 'other'));
  if (known.size < 3 || !(known.has('problem') || known.has('measures'))) return undefined;
  return columns;
}

/** An item's 序号 as printed: 第一项, or a bare 1 / 一 / 1. (named 序号1 when it says no more). */
function itemNumber(text: string): { n: number; printed: string } | undefined {
  const t = foldText(text).replace(/\s+/g, '');
  const head = /^第([\d一二三四五六七八九十百零〇两]+)项$/.exec(t);
  if (head) {
    const n = parseNumeral(head[1]!);
    return n === undefined ? undefined : { n, printed: text.replace(/\s+/g, '') };
  }
  const bare = /^([\d一二三四五六七八九十百零〇两]+)[.、]?$/.exec(t);
  const n = bare ? parseNumeral(bare[1]!) : undefined;
  return n === undefined ? undefined : { n, printed: `序号${text.replace(/\s+/g, '').replace(/[.、．]$/, '')}` };
}

interface Row {
  /** The row's cells by column (merged cells appear in each row they cover). */
  slots: Slot[];
  loc: Loc;
}

/** Where a cell or row is, for lines the table itself adds. */
const locOf = (cell: TableCell, fallback: Loc) => cell.lines[0]?.loc ?? fallback;

/**
 * The lines of a table for the paragraph reader: an item list with its cells
 * marked, any other table cell by cell. `notes` receives what the table
 * could not place (rows with no number).
 */
export function tableLines(table: Table): SourceLine[] {
  const grid = layoutGrid(table.rows);
  const width = grid[0]?.length ?? 0;
  const rowLoc = (r: number) => table.rowLocs?.[r] ?? grid[r]?.find((s) => s.cell.lines.length)?.cell.lines[0]?.loc ?? table.loc;

  // The header: the first of the top rows that names an item list.
  for (let h = 0; h < Math.min(3, grid.length); h++) {
    const headers = grid[h]!.map((s, c) => {
      // A header spanning columns over a row of sub-headers (责任主体 over 单位 / 领导 / 人员): the sub-header names the column.
      const below = grid[h + 1]?.[c];
      return s.cell.colSpan > 1 && below && below.cell !== s.cell ? cellText(below.cell) : cellText(s.cell);
    });
    const columns = itemColumns(headers);
    if (!columns) continue;
    const sub = grid[h]!.some((s, c) => s.cell.colSpan > 1 && grid[h + 1]?.[c] && grid[h + 1]![c]!.cell !== s.cell);
    const dataStart = h + (sub ? 2 : 1);
    const out: SourceLine[] = [];
    for (let r = 0; r < dataStart; r++) out.push(...skipRow(grid[r]!, h === r ? '表头' : '表格标题', rowLoc(r)));
    const rows = grid.slice(dataStart).map((slots, k) => ({ slots, loc: rowLoc(dataStart + k) }));
    out.push(...itemRows(rows, columns, headers, width));
    return out;
  }
  return plainCells(grid);
}

/** The lines of a row the reader skips, with the reason. */
function skipRow(slots: readonly Slot[], reason: string, loc: Loc): SourceLine[] {
  const lines = slots.filter((s) => s.top && s.left).flatMap((s) => s.cell.lines);
  return lines.length ? lines.map((l) => ({ ...l, skip: reason })) : [{ text: '', loc, skip: reason }];
}

/** Any table: each cell a block of paragraphs, row by row. */
function plainCells(grid: readonly Slot[][]): SourceLine[] {
  const out: SourceLine[] = [];
  for (const row of grid) {
    for (const s of row) {
      if (!s.top || !s.left) continue;
      s.cell.lines.forEach((l, k) => out.push(k === 0 ? { ...l, brk: 'para' } : l));
    }
  }
  return out;
}

/** A cell's lines: the first marked as the start of the cell (and with a role), the rest as cell text. */
function cellLines(lines: readonly SourceLine[], role?: SourceLine['role']): SourceLine[] {
  return lines.map((l, k) => {
    const line: SourceLine = { ...l, cell: true };
    if (k === 0) {
      line.brk = 'para';
      if (role) line.role = role;
    }
    return line;
  });
}

function itemRows(rows: readonly Row[], columns: readonly Column[], headers: readonly string[], width: number): SourceLine[] {
  const numberCol = columns.findIndex((c) => c.kind === 'number');
  const problemCol = columns.findIndex((c) => c.kind === 'problem');
  const fieldCols = columns.map((c, i) => (c.kind === 'field' ? i : -1)).filter((i) => i >= 0);
  const otherCols = columns.map((c, i) => (c.kind === 'other' ? i : -1)).filter((i) => i >= 0);

  // Rows that continue the row above (it ran over a page) are merged into it first.
  const merged: { slots: Slot[]; extra: Map<number, SourceLine[]>; loc: Loc }[] = [];
  for (const row of rows) {
    const number = numberCol >= 0 ? row.slots[numberCol]! : undefined;
    const problem = problemCol >= 0 ? row.slots[problemCol]! : undefined;
    const prev = merged.at(-1);
    const numberEmpty = number !== undefined && number.top && !cellText(number.cell);
    const problemText = problem && problem.top ? cellText(problem.cell) : '';
    const startsPart = problemText !== '' && numberingAt(foldText(problemText)) !== undefined;
    if (prev && numberEmpty && !startsPart && !isBand(row.slots, width)) {
      for (let c = 0; c < width; c++) {
        const s = row.slots[c]!;
        if (!s.top || !s.left || !s.cell.lines.length || c === numberCol) continue;
        const more = prev.extra.get(c) ?? [];
        // The first line on the new page: whether it continues a sentence is for the text to say.
        s.cell.lines.forEach((l, k) => {
          if (k > 0) return more.push(l);
          const { brk: _, ...rest } = l;
          return more.push(rest);
        });
        prev.extra.set(c, more);
      }
      continue;
    }
    merged.push({ slots: row.slots, extra: new Map(), loc: row.loc });
  }

  const out: SourceLine[] = [];
  const linesOf = (row: (typeof merged)[number], c: number) => {
    const s = row.slots[c]!;
    return [...(s.top || s.cell.rowSpan > 1 ? s.cell.lines : []), ...(row.extra.get(c) ?? [])];
  };
  for (const row of merged) {
    if (isBand(row.slots, width)) {
      const cell = row.slots.find((s) => s.cell.lines.length)?.cell;
      if (cell) out.push(...cell.lines.map((l, k) => (k === 0 ? { ...l, brk: 'para' as const } : l)));
      continue;
    }
    const number = numberCol >= 0 ? row.slots[numberCol]! : undefined;
    const startsItem = number !== undefined && number.top && cellText(number.cell) !== '';
    if (startsItem) {
      const parsed = itemNumber(cellText(number.cell));
      const problem = problemCol >= 0 ? linesOf(row, problemCol) : [];
      if (parsed) {
        const first = problem[0] ?? { text: '', loc: locOf(number.cell, row.loc) };
        out.push(...cellLines([first, ...problem.slice(1)], { kind: 'item', n: parsed.n, printed: parsed.printed }));
      } else {
        // A number the reader cannot read: the row's text is kept as it stands, and reported unplaced.
        out.push(...cellLines(number.cell.lines), ...cellLines(problem));
      }
    } else if (problemCol >= 0 && numberCol < 0) {
      // No 序号 column: the problem cell may begin 第一项, which the text reader finds itself.
      out.push(...linesOf(row, problemCol).map((l, k) => (k === 0 ? { ...l, brk: 'para' as const } : l)));
    } else if (problemCol >= 0) {
      // A part of the item above (its 序号 cell spans this row): the problem cell begins (一), (二) ….
      const s = row.slots[problemCol]!;
      if (s.top) out.push(...cellLines(linesOf(row, problemCol)));
    }
    for (const c of fieldCols) {
      const s = row.slots[c]!;
      const lines = linesOf(row, c);
      // A cell spanning from a column on the left (the problem across the fields) is not this field's;
      // a field cell merged over several rows holds for each of them.
      if (!s.left || !lines.length) continue;
      const col = columns[c] as { kind: 'field'; field: FieldKey };
      out.push(...cellLines(lines, { kind: 'field', field: col.field }));
    }
    for (const c of otherCols) {
      const s = row.slots[c]!;
      if (!s.top) continue;
      for (const l of linesOf(row, c)) out.push({ ...l, skip: `表格“${headers[c]}”列（不对应任何字段）` });
    }
  }
  return out;
}

/** A row one cell spans from side to side (a heading of the list, a note), or with text in a single cell across most of it. */
function isBand(slots: readonly Slot[], width: number): boolean {
  const cells = new Set(slots.filter((s) => s.cell.lines.length).map((s) => s.cell));
  if (cells.size !== 1) return false;
  const [cell] = cells;
  return cell!.colSpan >= Math.max(2, width - 1) && slots.every((s) => s.cell === cell || !s.cell.lines.length);
}
