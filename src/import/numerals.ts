/**
 * Chinese numerals as plans print them: 第十七项, (二十一), 一百零二.
 *
 * Plans number items and measures in Chinese numerals or Arabic digits, often
 * mixed in one document; the importer compares numbers, never spellings.
 */

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };

/** Characters a Chinese numeral may contain, for building patterns. */
export const ZH_NUMERAL_CHARS = '零〇一二两兩三四五六七八九十百千';

/**
 * Reads a Chinese numeral (一 … 九千九百九十九) or Arabic digits (also
 * full-width). Returns undefined for anything else.
 */
export function parseNumeral(text: string): number | undefined {
  const t = text.normalize('NFKC').trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!t || [...t].some((c) => !(c in DIGITS) && !(c in UNITS))) return undefined;
  let total = 0;
  let digit: number | undefined;
  for (const c of t) {
    if (c in DIGITS) {
      digit = DIGITS[c]!;
      continue;
    }
    // "十七" has no digit before 十: it means one ten.
    total += (digit ?? 1) * UNITS[c]!;
    digit = undefined;
  }
  return total + (digit ?? 0);
}

const PLAIN = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** Writes a number below 10,000 the way plans print it: 17 → 十七, 102 → 一百零二. */
export function toChineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 10_000) throw new RangeError(`无法写成中文数字：${n}`);
  if (n < 10) return PLAIN[n]!;
  if (n < 20) return `十${n % 10 ? PLAIN[n % 10] : ''}`;
  const parts: string[] = [];
  const places: [number, string][] = [[1000, '千'], [100, '百'], [10, '十'], [1, '']];
  let zero = false;
  for (const [value, unit] of places) {
    const d = Math.floor(n / value) % 10;
    if (d === 0) {
      if (parts.length) zero = true;
      continue;
    }
    if (zero) parts.push('零');
    zero = false;
    parts.push(PLAIN[d]! + unit);
  }
  return parts.join('');
}
