/**
 * Every CSV the portal offers for download goes through here: the open data
 * files, the published complaints and the search results.
 *
 * CSV injection (OWASP): spreadsheet programs (Excel, WPS, LibreOffice) run a
 * cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
 * before one) as a formula, which can fetch URLs or run commands. Text cells
 * written by residents, staff or content editors that start so are prefixed
 * with a single quote `'`, which the programs show as text. Numbers written as
 * numbers (figures, counts) are left alone; a text cell such as "-5" gets the
 * quote too, the price of never guessing.
 */
import { stringify, type Options } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell as it may be written to a CSV download: a leading formula character is disarmed with `'`. */
export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * A CSV download: UTF-8 with a byte-order mark (so Excel reads the Chinese correctly),
 * every string cell neutralised. Options are csv-stringify's.
 */
export function csvDownload(records: unknown[], options: Options = {}): string {
  return '\uFEFF' + csvRecords(records, options);
}

/** Records as csvDownload writes them, without the byte-order mark: for writing a long CSV in parts. */
export function csvRecords(records: unknown[], options: Options = {}): string {
  // A lone CR or LF inside a cell is quoted too: unquoted, spreadsheet programs start a new row there.
  return stringify(records, { quoted_match: /[\r\n]/, ...options, cast: { ...options.cast, string: neutraliseCell } });
}
