/**
 * What starts a block of a published plan or notice, and what stands alone.
 *
 * A line of published text begins a new paragraph only at a heading, a
 * number (第X项, (一), 1., 一是, 一、), a field label, a title, a date or an
 * attachment marker — never merely because a line ended. These recognisers
 * are shared by paragraph recovery (paragraphs.ts), the plan reader and the
 * notice reader, so all three cut the text at the same places. They work on
 * folded text (normalize.ts).
 */
import { DATE_LINE } from './dates-zh.ts';
import { findLabels } from './fields.ts';
import { numberingAt, type NumberStyle } from './measures.ts';
import { plainSpan } from './normalize.ts';
import { ZH_NUMERAL_CHARS, parseNumeral } from './numerals.ts';

const ZH = `[${ZH_NUMERAL_CHARS}\\d]+`;
/** 第十七项, 第17项 followed by a separator. */
export const ITEM_HEAD = new RegExp(`^第\\s*(${ZH})\\s*项\\s*(?:[,.:、]\\s*|\\s+|$)`);
/** 一、例行督察反馈问题整改措施清单（9项）, 一、指导思想. */
export const GROUP_HEAD = /^([一二三四五六七八九十]+)\s*、\s*([^。]{1,60})$/;
export const GROUP_COUNT = new RegExp(`[(]\\s*(?:共\\s*)?(${ZH})\\s*项\\s*[)]\\s*$`);
/** The title of a covering notice, letter or report: 关于印发《…》的通知. */
export const NOTICE_TITLE = /^关于.{2,}的(?:通知|函|决定|意见|报告)$/;
/** The title of a notice that amends a plan. */
export const AMENDMENT_TITLE = /^关于.*(?:补充|修改|调整|完善|变更).*的通知$/;
/** 附件, 附件2, 附件：整改措施清单. */
export const ATTACHMENT = /^附\s*件\s*(\d*)\s*(?::.*)?$/;
/** The end of an issuing body's name, as signed under a notice. */
export const ISSUER_END = /(办公室|办公厅|委员会|人民政府|政府|党委|市委|县委|区委|省委|厅|局|委|办|组)$/;
/** 一、第六项 / 二、第十七项(一): a section of an amendment notice. */
export const SECTION = new RegExp(`^([一二三四五六七八九十]+)\\s*、\\s*第\\s*(${ZH})\\s*项\\s*(?:\\(\\s*(${ZH})\\s*\\))?\\s*[,.:、]?\\s*`);
/** 整改时限修改为： */
export const CHANGE = /(整改目标|整改时限|整改期限|完成时限|整改措施|责任单位)\s*(?:修改|调整|变更)为\s*:?\s*/g;
const CHANGE_START = new RegExp(`^${CHANGE.source}`);
const CHANGE_ALONE = new RegExp(`^${CHANGE.source}$`);
const OPINION_START = /^审核意见\s*:/;

export type BlockStart =
  | { kind: 'item'; n: number }
  | { kind: 'num'; style: NumberStyle; n: number }
  | { kind: 'label' | 'title' | 'date' | 'attachment' };

/** A field label at the very start of a line (with its colon, in brackets, or alone). */
export function labelAtStart(fold: string): boolean {
  return findLabels(plainSpan(fold)).some((l) => fold.slice(0, l.start).trim() === '');
}

/** What kind of block a (folded, trimmed) line would start, if any. */
export function blockStart(fold: string): BlockStart | undefined {
  const item = ITEM_HEAD.exec(fold);
  const n = item ? parseNumeral(item[1]!) : undefined;
  if (n !== undefined) return { kind: 'item', n };
  if (NOTICE_TITLE.test(fold)) return { kind: 'title' };
  if (DATE_LINE.test(fold)) return { kind: 'date' };
  if (ATTACHMENT.test(fold)) return { kind: 'attachment' };
  if (labelAtStart(fold) || OPINION_START.test(fold) || CHANGE_START.test(fold)) return { kind: 'label' };
  const num = numberingAt(fold);
  // "一、二级保护区", "1、2号机组": an enumeration inside a sentence, not a list number.
  if (num && /^[、.]$/.test(fold[num.length - 1]!) && /^[一二三四五六七八九十\d]/.test(fold.slice(num.length))) return undefined;
  if (num) return { kind: 'num', style: num.style, n: num.n };
  return undefined;
}

/**
 * Whether a paragraph is complete in itself and takes no continuation: a
 * title, a date, an attachment marker, a lone label; and, when its last line
 * did not run to the margin, a heading or an issuer's name.
 */
export function standsAlone(fold: string, lastLineFull = false): boolean {
  if (NOTICE_TITLE.test(fold) || DATE_LINE.test(fold) || ATTACHMENT.test(fold) || CHANGE_ALONE.test(fold)) return true;
  const labels = findLabels(plainSpan(fold));
  if (labels.length === 1 && labels[0]!.start === 0 && fold.slice(labels[0]!.valueStart).trim() === '') return true;
  if (lastLineFull) return false;
  // Headings are short; a longer "二、第十项，…" line is the first line of a wrapped paragraph.
  return (fold.length <= 30 && GROUP_HEAD.test(fold)) || (fold.length <= 25 && ISSUER_END.test(fold));
}

/**
 * Whether the lines from here on are a signature: one or two issuers' names,
 * then a date (中共武威市委办公室 / 武威市人民政府办公室 / 2020年7月30日).
 */
export function signatureLines(folds: readonly string[]): boolean {
  const issuer = (f: string) => f.trim().length <= 25 && ISSUER_END.test(f.trim()) && !/[。,;:]/.test(f);
  if (!issuer(folds[0] ?? '')) return false;
  for (let k = 1; k < Math.min(3, folds.length); k++) {
    if (DATE_LINE.test(folds[k]!.trim())) return true;
    if (!issuer(folds[k]!)) return false;
  }
  return false;
}

/**
 * Whether the lines from `fold` on open a title that runs over several lines
 * ("关于补充完善《……》部分" / "内容的通知"): how many lines it takes, or 0.
 */
export function titleLines(folds: readonly string[]): number {
  if (!/^关于/.test(folds[0] ?? '')) return 0;
  let joined = '';
  for (let k = 0; k < Math.min(3, folds.length); k++) {
    joined += folds[k]!.trim();
    if (/[。;]/.test(joined)) return 0;
    if (NOTICE_TITLE.test(joined)) return k + 1;
  }
  return 0;
}
