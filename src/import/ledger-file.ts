/**
 * Ledger files: CSV (UTF-8, with or without BOM, or GB18030 — what Excel in
 * a Chinese locale saves) and XLSX (first sheet), read into rows of cells;
 * and the template written as CSV with a BOM so Excel opens it correctly.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Cell } from './ledger.ts';

/** Decodes text or CSV bytes: UTF-8 when valid, else GB18030 (a superset of GBK). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Parses CSV text into rows; row k of the result is line k+1 of a sheet. */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
}

/** Reads a ledger file (.csv or .xlsx) into rows of cells. */
export async function readTable(path: string): Promise<Cell[][]> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return parseCsv(decodeText(readFileSync(path)));
  if (ext === '.xlsx') {
    // Loaded only when needed: the XLSX reader is the heaviest part of the importer.
    const { readSheet } = await import('read-excel-file/node');
    return (await readSheet(path)) as Cell[][];
  }
  throw new Error(`台账应为 .csv 或 .xlsx 文件：${path}`);
}

/** CSV text with a BOM, so Excel reads the Chinese correctly. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\ufeff${stringify(rows as string[][], { record_delimiter: '\r\n' })}`;
}
