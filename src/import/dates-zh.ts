/**
 * Dates as documents print them under a signature: 2020年7月30日, or in
 * Chinese numerals 二〇二〇年七月三十日.
 */
import { parseNumeral } from './numerals.ts';

const YEAR_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** A whole line that is a date (folded text), e.g. under a signature. */
export const DATE_LINE = /^([\d〇零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日$/;

function iso(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The ISO date of a date line, or undefined when the line is not one. */
export function parseDateLine(fold: string): string | undefined {
  const m = DATE_LINE.exec(fold.trim());
  if (!m) return undefined;
  const year = Number([...m[1]!].map((c) => YEAR_DIGITS[c] ?? c).join(''));
  const month = parseNumeral(m[2]!);
  const day = parseNumeral(m[3]!);
  return month && day ? iso(year, month, day) : undefined;
}

/** "11月6日" in running text, given the year it falls in. */
export function monthDay(year: number, month: number, day: number): string | undefined {
  return iso(year, month, day);
}
