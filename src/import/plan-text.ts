/**
 * Reads a rectification plan as published (a web page's text or a PDF copy):
 * the covering notice with its metadata, and the list of items — groups
 * (一、例行督察反馈问题整改措施清单（9项）), items (第X项), parts ((一)/(二)
 * of one item), labelled fields and numbered measures.
 *
 * Everything is recognised on folded text and cut from the original (see
 * normalize.ts), so stored text stays verbatim. The parser places every
 * paragraph of the source: as content, as something it deliberately skips
 * (page chrome, the plan's prose, another notice on the same page — each
 * listed with its lines), or as unplaced text, which the command reports and
 * which makes its exit status non-zero.
 */
import { AMENDMENT_TITLE, ATTACHMENT, GROUP_COUNT, GROUP_HEAD, ITEM_HEAD, NOTICE_TITLE } from './blocks.ts';
import { isChrome, publishedDate } from './chrome.ts';
import { DATE_LINE, parseDateLine } from './dates-zh.ts';
import { findLabels, type FieldKey, type TextField } from './fields.ts';
import { numberingAt, splitMeasures, SENTENCE_END, type Numbering, type ParsedMeasure, type Piece } from './measures.ts';
import { foldLine, isTraditional, lineRange, slice, trim, type Span } from './normalize.ts';
import { parseNumeral } from './numerals.ts';
import { paragraphs, rangeOf, type Para, type Skipped } from './paragraphs.ts';
import { textDoc, type SourceDoc } from './source.ts';

export { ITEM_HEAD, NOTICE_TITLE };

export interface Located {
  lines: [number, number];
}

export interface ParsedPart extends Located {
  /** Part number as printed, e.g. "(一)"; absent for the single part of an ordinary item. */
  label?: string;
  problem?: string;
  fields: Partial<Record<TextField, string>>;
  measures: ParsedMeasure[];
}

export interface ParsedItem extends Located {
  number: number;
  /** The heading as printed: 第一项. */
  printed: string;
  /** Index into `groups`, when the item is under a group heading. */
  group?: number;
  problem?: string;
  /** Text between the problem and the first part of a multi-part item ("以上问题分2个方面进行整改。"). */
  note?: string;
  parts: ParsedPart[];
}

export interface ParsedGroup extends Located {
  /** Heading as printed, without its number and count: 例行督察反馈问题整改措施清单. */
  title: string;
  declaredCount?: number;
}

export interface Problem {
  lines?: [number, number];
  message: string;
}

export interface ParsedPlan {
  /** Title of the covering notice: 关于印发《…》的通知. */
  noticeTitle?: string;
  /** The plan's own title (the 《…》 of the notice). */
  title?: string;
  docNumber?: string;
  issuers: string[];
  issued?: string;
  published?: string;
  publishedBy?: string;
  /** Inspection teams the text names (folded): 中央第五生态环境保护督察组. */
  teams: string[];
  /** Title of the attached list, when the items are in an attachment. */
  listTitle?: string;
  inAttachment: boolean;
  groups: ParsedGroup[];
  items: ParsedItem[];
  script: 'simplified' | 'traditional';
  /** Number of pinyin conversion artefacts met (kept verbatim in stored text). */
  artefacts: number;
  skipped: Skipped[];
  unplaced: { lines: [number, number]; text: string }[];
  warnings: Problem[];
  /** Total source lines, for progress and summaries. */
  lineCount: number;
}

/** An item heading: 第X项 at the start of the text, or the row of an item table. */
function itemHead(para: Para): { number: number; printed: string; length: number } | undefined {
  if (para.role?.kind === 'item') return { number: para.role.n, printed: para.role.printed, length: 0 };
  if (para.role || para.cell) return undefined;
  const head = ITEM_HEAD.exec(para.fold);
  const number = head ? parseNumeral(head[1]!) : undefined;
  if (!head || number === undefined) return undefined;
  return { number, printed: trim(slice(para, 0, head[0].length)).raw.replace(/[,，.:：、．\s]+$/, ''), length: head[0].length };
}

/** Whether a paragraph carries a field: a label in its text, or a field cell of an item table. */
const hasField = (para: Para) => para.role?.kind === 'field' || (!para.role && !para.cell && findLabels(para).length > 0);

type Token =
  | { kind: 'group'; span: Span; title: Span; count?: number }
  | { kind: 'item'; span: Span; number: number; printed: string; body: Span }
  | { kind: 'label'; span: Span; field: FieldKey; body: Span }
  | { kind: 'num'; span: Span; num: Numbering; body: Span; paraStart: boolean }
  | { kind: 'text'; span: Span; paraStart: boolean };

/** Splits the list's paragraphs into tokens: headings, labels, numbers and the text between. */
function tokenize(paras: readonly Para[]): Token[] {
  const tokens: Token[] = [];
  let expectItem = 1;
  let labelSeen = false;
  let lastPart: Numbering | undefined;

  paras.forEach((para, index) => {
    const group = GROUP_HEAD.exec(para.fold);
    // A heading such as 一、例行督察反馈问题整改措施清单 is a group when an item
    // follows it closely; 一、指导思想 in the plan's prose never reaches here.
    if (!para.role && !para.cell && group && paras.slice(index + 1, index + 4).some((p) => itemHead(p))) {
      const titleText = group[2]!;
      const count = GROUP_COUNT.exec(titleText);
      const titleEnd = para.fold.length - (count ? count[0].length : 0);
      const titleStart = para.fold.length - titleText.length;
      const token: Token = { kind: 'group', span: para, title: trim(slice(para, titleStart, titleEnd)) };
      if (count) token.count = parseNumeral(count[1]!)!;
      tokens.push(token);
      return;
    }

    // What starts the paragraph.
    let pos = 0;
    let open: Token;
    const head = itemHead(para);
    const role = para.role;
    const startLabel = role || para.cell ? undefined : findLabels(para).find((l) => para.fold.slice(0, l.start).trim() === '');
    const startNum = role ? undefined : numberingAt(para.fold);
    if (head) {
      open = { kind: 'item', span: para, number: head.number, printed: head.printed, body: slice(para, head.length) };
      pos = head.length;
      expectItem = head.number + 1;
      labelSeen = false;
      lastPart = undefined;
    } else if (role?.kind === 'field') {
      open = { kind: 'label', span: para, field: role.field, body: para };
      labelSeen = true;
    } else if (startLabel) {
      open = { kind: 'label', span: para, field: startLabel.field, body: slice(para, startLabel.valueStart) };
      pos = startLabel.valueStart;
      labelSeen = true;
    } else if (startNum) {
      open = { kind: 'num', span: para, num: startNum, body: slice(para, startNum.length), paraStart: true };
      pos = startNum.length;
      if ((startNum.style === 'paren-zh' || startNum.style === 'paren-digit') && !labelSeen) lastPart = startNum;
    } else {
      open = { kind: 'text', span: para, paraStart: true };
    }
    let openStart = 0;
    let bodyStart = pos;

    // Boundaries inside the paragraph: labels anywhere (they carry a colon),
    // the next item's heading or a part number after a sentence end. A table
    // cell has none: the table gives its structure.
    if (role || para.cell) {
      tokens.push(closeToken(open, para, 0, pos, para.fold.length));
      return;
    }
    for (;;) {
      const label = findLabels(para, pos)[0];
      let inline: { at: number; token: (end: number) => Token; len: number; apply: () => void } | undefined;
      for (let p = Math.max(pos, 1); p < (label ? label.start : para.fold.length); p++) {
        if (!SENTENCE_END.test(para.fold.slice(Math.max(0, p - 3), p))) continue;
        const rest = para.fold.slice(p);
        const h = ITEM_HEAD.exec(rest);
        const n = h ? parseNumeral(h[1]!) : undefined;
        if (h && n === expectItem) {
          const at = p;
          inline = {
            at,
            len: h[0].length,
            token: (end) => ({ kind: 'item', span: slice(para, at, end), number: n, printed: trim(slice(para, at, at + h[0].length)).raw.replace(/[,，.:：、．\s]+$/, ''), body: slice(para, at + h[0].length, end) }),
            apply: () => {
              expectItem = n + 1;
              labelSeen = false;
              lastPart = undefined;
            },
          };
          break;
        }
        const num = numberingAt(para.fold, p);
        if (num && (num.style === 'paren-zh' || num.style === 'paren-digit') && ((num.n === 1 && !labelSeen) || (lastPart && lastPart.style === num.style && num.n === lastPart.n + 1))) {
          const at = p;
          inline = {
            at,
            len: num.length,
            token: (end) => ({ kind: 'num', span: slice(para, at, end), num, body: slice(para, at + num.length, end), paraStart: false }),
            apply: () => {
              lastPart = num;
            },
          };
          break;
        }
      }
      const cut = inline ? inline.at : label ? label.start : para.fold.length;
      // Close the open token at the cut.
      tokens.push(closeToken(open, para, openStart, bodyStart, cut));
      if (cut >= para.fold.length) break;
      if (inline) {
        inline.apply();
        const i = inline;
        open = i.token(para.fold.length);
        openStart = i.at;
        bodyStart = i.at + i.len;
        pos = bodyStart;
      } else {
        open = { kind: 'label', span: para, field: label!.field, body: para };
        openStart = label!.start;
        bodyStart = label!.valueStart;
        pos = bodyStart;
        labelSeen = true;
      }
    }
  });
  return tokens.filter((t) => t.kind !== 'text' || t.span.fold.trim() !== '');
}

function closeToken(open: Token, para: Span, start: number, bodyStart: number, end: number): Token {
  const span = slice(para, start, end);
  switch (open.kind) {
    case 'item':
      return { ...open, span, body: slice(para, bodyStart, end) };
    case 'label':
      return { ...open, span, body: slice(para, bodyStart, end) };
    case 'num':
      return { ...open, span, body: slice(para, bodyStart, end) };
    case 'text':
      return { ...open, span };
    case 'group':
      return open;
  }
}

interface PartDraft {
  label?: string;
  problem: Piece[];
  values: Map<FieldKey, Piece[]>;
  spans: Span[];
}

interface ItemDraft {
  number: number;
  printed: string;
  group?: number;
  problem: Piece[];
  parts: PartDraft[];
  spans: Span[];
}

/** Paragraph texts of pieces: pieces that continue a paragraph are joined without a separator. */
function paragraphTexts(pieces: readonly Piece[]): string[] {
  const out: string[] = [];
  for (const p of pieces) {
    const t = trim(p.span).raw;
    if (!t) continue;
    if (p.paraStart || !out.length) out.push(t);
    else out[out.length - 1] += t;
  }
  return out;
}

/** Builds groups and items from the tokens of the list. */
function build(tokens: readonly Token[], result: ParsedPlan): void {
  let item: ItemDraft | undefined;
  let part: PartDraft | undefined;
  let zone: 'none' | 'problem' | 'part-problem' | 'field' = 'none';
  let field: FieldKey | undefined;

  const finish = () => {
    if (!item) return;
    const parsed = finishItem(item, result.warnings);
    result.items.push(parsed);
    item = undefined;
    part = undefined;
  };
  const isPart = (k: number) => {
    for (let j = k + 1; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind === 'label') return true;
      if (t.kind !== 'text') return false;
    }
    return false;
  };
  const addText = (piece: Piece) => {
    if (!item || zone === 'none' || (piece.paraStart && CAPTION.test(piece.span.fold))) {
      result.unplaced.push({ lines: lineRange(piece.span), text: trim(piece.span).raw });
      return;
    }
    item.spans.push(piece.span);
    if (zone === 'problem') item.problem.push(piece);
    else if (zone === 'part-problem') part!.problem.push(piece);
    else {
      part!.values.get(field!)!.push(piece);
      part!.spans.push(piece.span);
    }
  };

  tokens.forEach((t, k) => {
    switch (t.kind) {
      case 'group':
        finish();
        result.groups.push({ title: t.title.raw, ...(t.count !== undefined ? { declaredCount: t.count } : {}), lines: lineRange(t.span) });
        zone = 'none';
        return;
      case 'item': {
        finish();
        const expected = (result.items.at(-1)?.number ?? 0) + 1;
        if (t.number !== expected) result.warnings.push({ lines: lineRange(t.span), message: `编号不连续：${t.printed}（应为第${expected}项）` });
        item = { number: t.number, printed: t.printed, problem: [{ span: t.body, paraStart: true }], parts: [], spans: [t.span] };
        if (result.groups.length) item.group = result.groups.length - 1;
        zone = 'problem';
        return;
      }
      case 'num':
        if (item && isPart(k)) {
          part = { label: trim(slice(t.span, 0, t.num.length)).raw, problem: [{ span: t.body, paraStart: true }], values: new Map(), spans: [t.span] };
          item.parts.push(part);
          item.spans.push(t.span);
          zone = 'part-problem';
          return;
        }
        addText({ span: t.span, paraStart: t.paraStart });
        return;
      case 'label':
        if (!item) {
          result.unplaced.push({ lines: lineRange(t.span), text: trim(t.span).raw });
          return;
        }
        if (!part) {
          part = { problem: [], values: new Map(), spans: [] };
          item.parts.push(part);
        }
        if (part.values.has(t.field)) {
          result.warnings.push({ lines: lineRange(t.span), message: `${item.printed}${part.label ?? ''}：字段重复，后文接在前文之后` });
        } else {
          part.values.set(t.field, []);
        }
        field = t.field;
        zone = 'field';
        item.spans.push(t.span);
        part.spans.push(t.span);
        part.values.get(t.field)!.push({ span: t.body, paraStart: true });
        return;
      case 'text':
        addText({ span: t.span, paraStart: t.paraStart });
        return;
    }
  });
  finish();
}

/** The closing sentence of a multi-part item's problem that says how it is divided. */
const NOTE_SENTENCE = /。以上[^。]*?(?:方面|部分|个问题|项)[^。]*?整改[^。]*。$/;
/**
 * A paragraph opening with a caption that belongs to no item — 联系人：…,
 * 备注：…, 抄送：… — is reported rather than appended to the last measure.
 */
const CAPTION = /^(?:联系人|联系电话|联系方式|电话|传真|邮箱|备注|说明|注|附注|附|抄送|印发|主题词|责任编辑|编辑|校对)\s*:/;

function finishItem(item: ItemDraft, warnings: Problem[]): ParsedItem {
  const lines = rangeOf(item.spans);
  const out: ParsedItem = { number: item.number, printed: item.printed, lines, parts: [] };
  if (item.group !== undefined) out.group = item.group;
  const problem = paragraphTexts(item.problem);
  const multi = item.parts.length > 1 || item.parts.some((p) => p.label);
  if (multi && problem.length > 1) {
    out.problem = problem[0]!;
    out.note = problem.slice(1).join('\n');
  } else if (multi && problem.length === 1 && NOTE_SENTENCE.test(problem[0]!)) {
    // A whole item on one line: the note is the closing sentence of the problem paragraph.
    const text = problem[0]!;
    const cut = text.lastIndexOf('。', text.length - 2) + 1;
    out.problem = text.slice(0, cut);
    out.note = text.slice(cut);
  } else if (problem.length) {
    out.problem = problem.join('\n');
  }
  if (!out.problem) delete out.problem;
  for (const p of item.parts) {
    const part: ParsedPart = { lines: p.spans.length ? rangeOf(p.spans) : lines, fields: {}, measures: [] };
    if (p.label !== undefined) part.label = p.label;
    const pp = paragraphTexts(p.problem);
    if (pp.length) part.problem = pp.join('\n');
    for (const [key, pieces] of p.values) {
      if (key === 'measures') {
        part.measures = splitMeasures(pieces);
        continue;
      }
      const text = paragraphTexts(pieces).join('\n').trim();
      if (text) part.fields[key] = text;
      else warnings.push({ lines: part.lines, message: `${item.printed}${p.label ?? ''}：字段“${key}”为空` });
    }
    out.parts.push(part);
  }
  if (!out.parts.length) warnings.push({ lines, message: `${item.printed}：没有找到任何字段（整改目标、整改时限……）` });
  return out;
}

const TEAM = /(?:中央|省委|省)?(?:第[一二三四五六七八九十]+)?(?:生态)?环境保护督察组/g;
const DOC_NUMBER = /[\u4e00-\u9fff]{1,12}[〔[]\d{4}[〕\]]\s*\d+\s*号/;

/** Parses a published plan. `onProgress` receives a message per stage and every 20 items. */
export function parsePlanText(text: string, onProgress: (message: string) => void = () => {}): ParsedPlan {
  return parsePlan(textDoc(text), onProgress);
}

/** Parses a published plan read from any format (read-file.ts). */
export function parsePlan(doc: SourceDoc, onProgress: (message: string) => void = () => {}): ParsedPlan {
  const lines = doc.lines.map((l, i) => foldLine(l.text, i + 1));
  const text = doc.lines.map((l) => l.text).join('\n');
  onProgress(`读取 ${lines.length} 行`);
  const result: ParsedPlan = {
    issuers: [],
    teams: [],
    inAttachment: false,
    groups: [],
    items: [],
    script: isTraditional(text) ? 'traditional' : 'simplified',
    artefacts: countArtefacts(lines),
    skipped: [],
    unplaced: [],
    warnings: [],
    lineCount: lines.length,
  };

  // The page header, which is chrome, still says when and by whom the page was published.
  for (const [k, line] of lines.entries()) {
    const t = trim(line);
    if (!doc.lines[k]!.skip && !isChrome(t.fold)) continue;
    const published = publishedDate(t.fold);
    if (published && !result.published) result.published = published;
    const by = /(?:信息)?来源\s*:\s*(\S+?)(?=\s|发布|日期|时间|作者|浏览|$)/.exec(t.fold);
    if (by && result.publishedBy === undefined) result.publishedBy = trim(slice(t, by.index + by[0].length - by[1]!.length, by.index + by[0].length)).raw;
  }

  const { paragraphs: paras, chrome } = paragraphs(doc);
  result.skipped.push(...chrome);
  const skip = (from: number, to: number, reason: string) => {
    if (to > from) result.skipped.push({ lines: rangeOf(paras.slice(from, to)), reason });
  };

  const whole = paras.map((p) => p.fold).join('\n');
  result.teams = [...new Set(whole.match(TEAM) ?? [])];

  // Where the list of items begins: the first 第一项 followed by labelled fields.
  let start = -1;
  for (let i = 0; i < paras.length && start < 0; i++) {
    if (itemHead(paras[i]!)?.number !== 1) continue;
    if (paras.slice(i, i + 12).some(hasField)) start = i;
  }

  // The covering notice: the last title before the list (another notice may come first in the file).
  const isTitle = (p: Para) => !p.role && !p.cell && NOTICE_TITLE.test(p.fold) && /《.+》/.test(p.fold);
  const titles = paras.map((p, i) => (isTitle(p) && (start < 0 || i < start) ? i : -1)).filter((i) => i >= 0);
  let titleIdx = titles.findLast((i) => !AMENDMENT_TITLE.test(paras[i]!.fold)) ?? titles.at(-1) ?? 0;
  if (start >= 0 && titleIdx > start) titleIdx = 0;
  // A page may print the title twice (its heading and the document's): the first is the document's start.
  while (titleIdx > 0 && paras[titleIdx - 1]!.fold === paras[titleIdx]!.fold) titleIdx--;
  const titlePara = paras[titleIdx];
  if (titlePara) {
    result.noticeTitle = titlePara.raw;
    const inner = /《(.+)》/.exec(titlePara.fold);
    result.title = inner ? trim(slice(titlePara, inner.index + 1, inner.index + 1 + inner[1]!.length)).raw : titlePara.raw;
  }
  const firstTitle = titles[0];
  if (firstTitle !== undefined && firstTitle < titleIdx) {
    skip(0, firstTitle, '页面内容（标题之前）');
    skip(firstTitle, titleIdx, `另一份文件：${paras[firstTitle]!.raw}`);
  } else {
    skip(0, titleIdx, '页面内容（标题之前）');
  }

  if (start < 0) {
    result.warnings.push({ message: '没有找到整改任务清单（“第一项”及其后的整改目标、整改时限等字段）' });
    skip(titleIdx, paras.length, '未识别的正文');
    return result;
  }
  let listStart = start;
  for (let k = start - 1; k >= Math.max(0, start - 3); k--) {
    if (!paras[k]!.role && !paras[k]!.cell && GROUP_HEAD.test(paras[k]!.fold)) {
      listStart = k;
      break;
    }
  }
  let bodyEnd = listStart;
  const before = paras[listStart - 1];
  if (before && !/。/.test(before.fold) && /(清单|台账|任务|措施|问题)/.test(before.fold) && before.fold.length <= 60) {
    result.listTitle = before.raw;
    bodyEnd = listStart - 1;
    const marker = paras[listStart - 2];
    if (marker && ATTACHMENT.test(marker.fold) && !marker.fold.includes(':')) {
      result.inAttachment = true;
      bodyEnd = listStart - 2;
    }
  }

  // Signature of the notice: the issuers above the first date line.
  let sigDate = -1;
  for (let i = titleIdx + 1; i < bodyEnd; i++) {
    if (DATE_LINE.test(paras[i]!.fold)) {
      sigDate = i;
      break;
    }
  }
  let bodyFrom = titleIdx + 1;
  while (bodyFrom < bodyEnd && paras[bodyFrom]!.fold === titlePara?.fold) {
    skip(bodyFrom, bodyFrom + 1, '重复的标题');
    bodyFrom++;
  }
  if (sigDate >= 0) {
    const issued = parseDateLine(paras[sigDate]!.fold);
    if (issued) result.issued = issued;
    let k = sigDate - 1;
    const issuers: string[] = [];
    while (k > bodyFrom && paras[k]!.fold.length <= 30 && !/[。,:;]/.test(paras[k]!.fold)) issuers.unshift(paras[k--]!.raw);
    result.issuers = issuers;
    skip(bodyFrom, k + 1, '印发通知正文');
    skip(sigDate + 1, bodyEnd, '方案正文（指导思想、工作原则等，不是整改任务）');
  } else {
    skip(bodyFrom, bodyEnd, '方案正文（不是整改任务）');
  }

  // Where the list ends: another notice, a signature, or a further attachment.
  let end = paras.length;
  for (let i = start + 1; i < paras.length; i++) {
    // Table cells are the list's own text, whatever they say.
    const f = paras[i]!.role || paras[i]!.cell ? '' : paras[i]!.fold;
    const att = ATTACHMENT.exec(f);
    if (NOTICE_TITLE.test(f) || DATE_LINE.test(f) || (att && att[1] && Number(att[1]) >= 2)) {
      end = i;
      break;
    }
  }

  // The document number: printed near the title, or cited with the title elsewhere on the page.
  if (result.title) {
    const t = result.title;
    for (const p of paras) {
      const at = p.raw.indexOf(`《${t}》`);
      if (at < 0) continue;
      const after = p.fold.slice(p.src.findIndex((x) => x >= at + t.length + 2));
      const m = /^\s*\(([^()]*?)\)/.exec(after);
      const dn = m && DOC_NUMBER.exec(m[1]!);
      if (dn) {
        // Cut from the original, so a Traditional page keeps 武辦字〔2020〕47號.
        const from = p.fold.length - after.length + m!.index + m![0].indexOf(m![1]!) + dn.index;
        result.docNumber = trim(slice(p, from, from + dn[0].length)).raw;
        break;
      }
    }
  }
  if (!result.docNumber) {
    const near = paras.slice(titleIdx, titleIdx + 4).find((p) => new RegExp(`^${DOC_NUMBER.source}$`).test(p.fold));
    if (near) result.docNumber = near.raw;
  }

  onProgress('识别整改任务清单');
  const tokens = tokenize(paras.slice(listStart, end));
  build(tokens, result);
  onProgress(`识别出 ${result.groups.length} 个分组、${result.items.length} 项整改任务`);

  // After the list: other documents on the same page, or text that fits nowhere.
  let i = end;
  while (i < paras.length) {
    const f = paras[i]!.fold;
    if (NOTICE_TITLE.test(f)) {
      let j = i + 1;
      while (j < paras.length && !DATE_LINE.test(paras[j]!.fold)) j++;
      skip(i, Math.min(j + 1, paras.length), `另一份文件：${paras[i]!.raw}`);
      i = j + 1;
      continue;
    }
    result.unplaced.push({ lines: lineRange(paras[i]!), text: paras[i]!.raw });
    i++;
  }
  result.skipped.sort((a, b) => a.lines[0] - b.lines[0]);
  return result;
}

function countArtefacts(lines: readonly Span[]): number {
  let n = 0;
  for (const l of lines) {
    for (let i = 1; i < l.src.length; i++) {
      const gap = l.src[i]! - l.src[i - 1]!;
      // A folded character standing for more than itself covers a removed artefact.
      if (gap > 2) n++;
    }
  }
  return n;
}
