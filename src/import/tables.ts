/**
 * Tables as the readers find them — rows of cells, a cell spanning columns
 * (colspan, gridSpan) or rows (rowspan, vMerge) — laid out on their grid, so
 * that every row has a slot for every column and a merged cell is seen in
 * each slot it covers.
 */
import type { Loc, SourceLine } from './source.ts';

export interface TableCell {
  /** The cell's text, a line per paragraph (Word, HTML) or per printed line (PDF). */
  lines: SourceLine[];
  colSpan: number;
  rowSpan: number;
}

export interface Table {
  rows: TableCell[][];
  /** Where the table starts, for reporting its header and the rows it could not read. */
  loc: Loc;
  /** Where each row is (the place of its first line when the reader has no better one). */
  rowLocs?: Loc[];
}

/** One slot of the grid: the cell covering it, and whether the cell starts in this row and this column. */
export interface Slot {
  cell: TableCell;
  top: boolean;
  left: boolean;
}

const EMPTY: TableCell = { lines: [], colSpan: 1, rowSpan: 1 };

/** Places the cells on the grid as a browser does: each cell in the first free slot of its row. */
export function layoutGrid(rows: readonly (readonly TableCell[])[]): Slot[][] {
  const grid: (Slot | undefined)[][] = rows.map(() => []);
  rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row) {
      while (grid[r]![c]) c++;
      const rowSpan = Math.max(1, Math.min(cell.rowSpan, rows.length - r));
      for (let dr = 0; dr < rowSpan; dr++) {
        for (let dc = 0; dc < Math.max(1, cell.colSpan); dc++) grid[r + dr]![c + dc] = { cell, top: dr === 0, left: dc === 0 };
      }
      c += Math.max(1, cell.colSpan);
    }
  });
  const width = Math.max(0, ...grid.map((row) => row.length));
  return grid.map((row) => Array.from({ length: width }, (_, c) => row[c] ?? { cell: EMPTY, top: true, left: true }));
}

/** The text of a cell, its lines run together (for headers and numbers, which wrap in narrow columns). */
export function cellText(cell: TableCell): string {
  return cell.lines
    .map((l) => l.text.trim())
    .join('')
    .trim();
}
