/**
 * Reads an amendment notice (补充完善 / 修改 … 的通知): which plan it amends,
 * the review it answers (审核意见的函, its body, number and date), and for
 * each item it changes the review opinion, any explanation, and the new text
 * of each field (整改时限修改为 / 整改目标修改为 / 整改措施修改为 /
 * 责任单位修改为). The old text is not in the notice; it is taken from the
 * plan's content when the records are built (amendment-content.ts).
 */
import { AMENDMENT_TITLE as TITLE, CHANGE, SECTION } from './blocks.ts';
import { publishedDate, isChrome } from './chrome.ts';
import { DATE_LINE, monthDay, parseDateLine } from './dates-zh.ts';
import type { AmendableField } from '../model/schemas.ts';
import { foldLine, foldText, isTraditional, lineRange, slice, trim, type Span } from './normalize.ts';
import { parseNumeral } from './numerals.ts';
import { paragraphs, rangeOf, type Skipped } from './paragraphs.ts';
import type { Problem } from './plan-text.ts';
import { textDoc, type SourceDoc } from './source.ts';

export interface ParsedChange {
  field: AmendableField;
  explanation?: string;
  /** The new text, verbatim; paragraphs (measures) one a line. */
  after: string;
  lines: [number, number];
}

export interface ParsedSection {
  /** Section number as printed: 一. */
  ordinal: string;
  /** Item number in the plan (第六项 → 6). */
  item: number;
  /** Part label, when the section names one: 第十七项(一). */
  part?: string;
  /** The item's problem as the notice restates it (for checking the number). */
  restated?: string;
  opinion?: string;
  changes: ParsedChange[];
  lines: [number, number];
}

export interface ParsedAmendment {
  title?: string;
  date?: string;
  issuers: string[];
  published?: string;
  /** The amended plan as the notice cites it. */
  planTitle?: string;
  planDocNumber?: string;
  reviewDocNumber?: string;
  reviewBody?: string;
  reviewDate?: string;
  /** The sentence announcing the changes ("现将……通知如下"), quoted as the citation. */
  quote?: string;
  sections: ParsedSection[];
  script: 'simplified' | 'traditional';
  skipped: Skipped[];
  unplaced: { lines: [number, number]; text: string }[];
  warnings: Problem[];
  lineCount: number;
}

const OPINION = /审核意见\s*:\s*/g;
const FIELD: Record<string, AmendableField> = {
  整改目标: 'target',
  整改时限: 'deadline',
  整改期限: 'deadline',
  完成时限: 'deadline',
  整改措施: 'measures',
  责任单位: 'responsibleUnits',
};
/** Parses an amendment notice; the text may hold other documents around it (they are skipped). */
export function parseAmendmentText(text: string, onProgress: (message: string) => void = () => {}): ParsedAmendment {
  return parseAmendment(textDoc(text), onProgress);
}

/** Parses an amendment notice read from any format (read-file.ts), wherever it is in the file. */
export function parseAmendment(doc: SourceDoc, onProgress: (message: string) => void = () => {}): ParsedAmendment {
  const lines = doc.lines.map((l, i) => foldLine(l.text, i + 1));
  const text = doc.lines.map((l) => l.text).join('\n');
  onProgress(`读取 ${lines.length} 行`);
  const result: ParsedAmendment = {
    issuers: [],
    sections: [],
    script: isTraditional(text) ? 'traditional' : 'simplified',
    skipped: [],
    unplaced: [],
    warnings: [],
    lineCount: lines.length,
  };
  for (const [k, l] of lines.entries()) {
    const t = trim(l);
    const published = doc.lines[k]!.skip || isChrome(t.fold) ? publishedDate(t.fold) : undefined;
    if (published && !result.published) result.published = published;
  }
  const { paragraphs: paras, chrome } = paragraphs(doc);
  result.skipped.push(...chrome);
  const skip = (from: number, to: number, reason: string) => {
    if (to > from) result.skipped.push({ lines: rangeOf(paras.slice(from, to)), reason });
  };

  const hasChange = (q: Span) => new RegExp(CHANGE.source).test(q.fold);
  const titleIdx = paras.findIndex((p, i) => TITLE.test(p.fold) && paras.slice(i).some(hasChange));
  if (titleIdx < 0) {
    result.warnings.push({ message: '没有找到修改通知（“关于……补充完善/修改……的通知”及其“……修改为”）' });
    return result;
  }
  skip(0, titleIdx, '通知之前的其他内容（如整改方案本身，用 import plan 导入）');
  result.title = paras[titleIdx]!.raw;
  const inner = /《(.+)》/.exec(paras[titleIdx]!.fold);
  if (inner) result.planTitle = trim(slice(paras[titleIdx]!, inner.index + 1, inner.index + 1 + inner[1]!.length)).raw;

  const firstSection = paras.findIndex((p, i) => i > titleIdx && SECTION.test(p.fold));
  const bodyEnd = firstSection < 0 ? paras.length : firstSection;
  let sigDate = paras.findIndex((p, i) => i > titleIdx && DATE_LINE.test(p.fold));
  if (sigDate < 0) sigDate = paras.length;
  const date = parseDateLine(paras[sigDate]?.fold ?? '');
  if (date) result.date = date;

  // The body: the plan cited with its number, the review, the announcing sentence.
  const body = paras.slice(titleIdx + 1, bodyEnd);
  for (const p of body) readBody(p, result);
  skip(titleIdx + 1, bodyEnd, '通知正文（从中读取被修改方案的文号和审核函）');
  if (!result.planDocNumber) result.warnings.push({ message: '通知正文没有引用被修改方案的文号' });

  // The signature: issuers above the date line.
  let sigStart = sigDate;
  while (sigStart - 1 > Math.max(titleIdx, bodyEnd - 1) && paras[sigStart - 1]!.fold.length <= 30 && !/[。,:;]/.test(paras[sigStart - 1]!.fold)) sigStart--;
  result.issuers = paras.slice(sigStart, sigDate).map((p) => p.raw);

  // Sections, one per item changed.
  let section: ParsedSection | undefined;
  let pending: { field?: AmendableField; explanation: string[]; after: string[]; spans: Span[] } | undefined;
  let state = 'none' as 'none' | 'opinion' | 'explanation' | 'after';
  const closeChange = () => {
    if (section && pending?.field) {
      const change: ParsedChange = { field: pending.field, after: pending.after.join('\n'), lines: rangeOf(pending.spans) };
      if (pending.explanation.length) change.explanation = pending.explanation.join('\n');
      section.changes.push(change);
    }
    pending = undefined;
  };
  const closeSection = () => {
    closeChange();
    if (section) {
      if (!section.changes.length) result.warnings.push({ lines: section.lines, message: `第${section.ordinal}部分（第${section.item}项）没有“……修改为”` });
      result.sections.push(section);
    }
    section = undefined;
    state = 'none';
  };

  for (let i = bodyEnd; i < sigStart; i++) {
    const para = paras[i]!;
    const head = SECTION.exec(para.fold);
    let pos = 0;
    if (head) {
      closeSection();
      section = { ordinal: head[1]!, item: parseNumeral(head[2]!)!, changes: [], lines: lineRange(para) };
      if (head[3]) section.part = trim(slice(para, head[0].indexOf('('), head[0].indexOf(')') + 1)).raw;
      pos = head[0].length;
      state = 'none';
    }
    if (!section) {
      result.unplaced.push({ lines: lineRange(para), text: para.raw });
      continue;
    }
    section.lines = [section.lines[0], lineRange(para)[1]];
    // Markers inside the paragraph: 审核意见: and ……修改为:.
    const marks: { at: number; end: number; kind: 'opinion' | AmendableField }[] = [];
    for (const m of para.fold.matchAll(OPINION)) if (m.index >= pos) marks.push({ at: m.index, end: m.index + m[0].length, kind: 'opinion' });
    for (const m of para.fold.matchAll(CHANGE)) if (m.index >= pos) marks.push({ at: m.index, end: m.index + m[0].length, kind: FIELD[m[1]!]! });
    marks.sort((a, b) => a.at - b.at);
    const lead = trim(slice(para, pos, marks[0]?.at ?? para.fold.length));
    if (lead.fold) {
      if (head) section.restated = lead.raw;
      else if (state === 'after') {
        pending!.after.push(lead.raw);
        pending!.spans.push(lead);
      } else if (state === 'opinion' || state === 'explanation') {
        closeChange();
        pending = { explanation: [lead.raw], after: [], spans: [lead] };
        state = 'explanation';
      } else result.unplaced.push({ lines: lineRange(lead), text: lead.raw });
    }
    marks.forEach((mark, k) => {
      const value = trim(slice(para, mark.end, marks[k + 1]?.at ?? para.fold.length));
      if (mark.kind === 'opinion') {
        closeChange();
        section!.opinion = value.raw;
        state = 'opinion';
        return;
      }
      const explanation = pending && !pending.field ? pending.explanation : [];
      const spans = pending && !pending.field ? pending.spans : [];
      closeChange();
      pending = { field: mark.kind, explanation, after: value.fold ? [value.raw] : [], spans: [...spans, value] };
      state = 'after';
    });
  }
  closeSection();
  skip(sigDate + 1, paras.length, '通知之后的其他内容');
  result.skipped.sort((a, b) => a.lines[0] - b.lines[0]);
  onProgress(`识别出 ${result.sections.length} 项修改`);
  return result;
}

/** Reads the notice's body paragraph: plan number, review letter, the announcing sentence. */
function readBody(p: Span, result: ParsedAmendment): void {
  const f = p.fold;
  // 《plan title》(武办字〔2020〕47号)
  if (result.planTitle && !result.planDocNumber) {
    const cite = foldCite(`《${result.planTitle}》`);
    const at = f.indexOf(cite);
    if (at >= 0) {
      const m = /^\s*\(([^()]*?[〔[]\d{4}[〕\]]\s*\d+\s*号)\)/d.exec(f.slice(at + cite.length));
      if (m) result.planDocNumber = group(p, m, 1, at + cite.length);
    }
  }
  // "11月6日,省整改办向我市反馈……审核意见的函(甘整改函〔2020〕16号)"
  const review = /(\d{1,2})月(\d{1,2})日\s*,?\s*([^,。;]{2,20}?)(?:向[^,。;]*?)?(?:反馈|印发|出具|下发)[^。]*?审核意见[^。]*?\(([^()]*?〔(\d{4})〕\s*\d+\s*号)\)/d.exec(f);
  if (review && !result.reviewDocNumber) {
    result.reviewDocNumber = group(p, review, 4);
    result.reviewBody = group(p, review, 3);
    const reviewDate = monthDay(Number(review[5]), Number(review[1]), Number(review[2]));
    if (reviewDate) result.reviewDate = reviewDate;
  }
  const announce = /[^。]*如下[^。]*。/.exec(f);
  if (announce && !result.quote) result.quote = trim(slice(p, announce.index, announce.index + announce[0].length)).raw;
}

/** The original text of a regex group matched on folded text (offset: where the matched text starts). */
function group(p: Span, m: RegExpExecArray, k: number, offset = 0): string {
  const [a, b] = m.indices![k]!;
  return trim(slice(p, offset + a, offset + b)).raw;
}

/** Folded form of a citation built from raw text (titles may be Traditional). */
function foldCite(cite: string): string {
  return foldText(cite);
}
