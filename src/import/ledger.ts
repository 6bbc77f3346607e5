/**
 * Status ledgers (整改台账): the spreadsheet a rectification office keeps,
 * one row per item, read into dated status entries.
 *
 * The header row is found and mapped by the usual column names (序号 or
 * 问题编号, 完成情况 or 整改状态, 进展情况 …), wherever the title rows above
 * it end. Statuses are read with the portal's own vocabulary
 * (`parseStatus`), so a ledger can say 已完成 or 基本完成整改. The file is one
 * transaction: every row is checked first, and any bad one rejects the whole
 * file with the row and the column named.
 */
import type { Content } from '../content/load.ts';
import { currentParts, revisionsOf } from '../domain/amend.ts';
import { endOfPeriod } from '../domain/dates.ts';
import { parseStatus, STATUSES } from '../domain/status.ts';
import { EVIDENCE_TIERS, partialDate, type EvidenceTier, type Item, type StatusEntry } from '../model/schemas.ts';
import { foldText } from './normalize.ts';
import { ZH_NUMERAL_CHARS, parseNumeral } from './numerals.ts';

/** A cell as the readers give it. */
export type Cell = string | number | boolean | Date | null | undefined;

export type LedgerColumn = 'ref' | 'part' | 'problem' | 'deadline' | 'units' | 'status' | 'progress' | 'date' | 'evidence' | 'remark';

/** Column names accepted for each column (folded, spaces removed). The first is the template's. */
export const LEDGER_HEADERS: Record<LedgerColumn, readonly string[]> = {
  ref: ['序号', '问题编号', '编号', '问题序号', '任务编号', '项目编号', '项号', '问题号'],
  part: ['分项', '子项', '分项编号'],
  problem: ['问题', '反馈问题', '问题内容', '存在问题', '问题描述', '督察反馈问题', '整改问题', '问题清单'],
  deadline: ['整改时限', '完成时限', '整改期限', '时限'],
  units: ['责任单位', '牵头单位', '责任部门', '整改责任单位'],
  status: ['完成情况', '整改状态', '状态', '整改完成情况', '完成状态', '是否完成', '整改结果'],
  progress: ['进展情况', '整改进展', '整改进展情况', '工作进展', '推进情况', '整改情况', '进展'],
  date: ['日期', '截至日期', '截止日期', '填报日期', '更新日期', '统计日期', '截至时间', '填报时间'],
  evidence: ['证据类型', '佐证类型', '依据类型', '证据'],
  remark: ['备注', '说明'],
};

/** Columns of the exported template, in order. */
export const TEMPLATE_COLUMNS: readonly LedgerColumn[] = ['ref', 'part', 'problem', 'deadline', 'units', 'status', 'progress', 'date'];

const EVIDENCE_WORDS: Record<string, EvidenceTier> = {
  自报: 'self-reported',
  单位自报: 'self-reported',
  自查: 'self-reported',
  现场核查: 'on-site-check',
  实地核查: 'on-site-check',
  现场检查: 'on-site-check',
  第三方: 'third-party',
  第三方评估: 'third-party',
  监测数据: 'monitoring-data',
  监测: 'monitoring-data',
};

/** A rejected cell: the sheet row (1-based, as a spreadsheet shows it), the column, what is wrong. */
export interface LedgerError {
  row: number;
  column?: string;
  message: string;
}

/** "第5行“完成情况”列（F）：…" */
export function formatLedgerError(e: LedgerError): string {
  return `第${e.row}行${e.column ? `${e.column}` : ''}：${e.message}`;
}

export interface LedgerOptions {
  planId: string;
  /** Source document the statuses rest on (an id in sources.yaml). */
  sourceDoc: string;
  /** Citation prefix, followed by the row: "台账 第5行". */
  locator?: string;
  /** Date of every row that has no date of its own. */
  date?: string;
  evidence?: EvidenceTier;
}

export interface LedgerEntry {
  item: string;
  row: number;
  entry: StatusEntry;
  /** Index of the entry it replaces (same date, part and citation), if any. */
  replaces?: number;
}

export interface LedgerResult {
  entries: LedgerEntry[];
  errors: LedgerError[];
  /**
   * Rows whose reference columns (问题, 整改时限, 责任单位) do not say what the
   * item says — a sign of a wrong 序号 or of an amendment not yet in content —
   * and the columns that are only for reference.
   */
  notes: string[];
  /** Header cells not recognised (their columns are not read). */
  ignoredColumns: string[];
  /** Rows read, and rows left empty (no status and no progress). */
  rows: number;
  emptyRows: number[];
  headerRow?: number;
}

const letter = (i: number): string => (i >= 26 ? letter(Math.floor(i / 26) - 1) : '') + String.fromCharCode(65 + (i % 26));

/** The text of a cell; dates as YYYY-MM-DD. */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  return String(cell).trim();
}

function headerKey(cell: Cell): string {
  return foldText(cellText(cell))
    .replace(/\s+/g, '')
    .replace(/[(（【[].*?[)）】\]]$/, '')
    .replace(/[*:]$/, '');
}

const HEADER_OF = new Map<string, LedgerColumn>(
  (Object.entries(LEDGER_HEADERS) as [LedgerColumn, readonly string[]][]).flatMap(([col, names]) => names.map((n) => [n, col] as const)),
);

/** Maps a header row to columns; undefined where a cell is not a known name. */
export function mapHeader(row: readonly Cell[]): (LedgerColumn | undefined)[] {
  return row.map((c) => HEADER_OF.get(headerKey(c)));
}

/** Reads a ledger date: 2021-03-31, 2021/3/31, 2021.3.31, 2021年3月31日, 2021年3月, 2021-03. */
export function parseLedgerDate(text: string): string | undefined {
  const t = foldText(text).trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月)?$/.exec(t) ?? /^(\d{4})\s*年?$/.exec(t);
  if (!m) return undefined;
  const out = [m[1], m[2]?.padStart(2, '0'), m[3]?.padStart(2, '0')].filter(Boolean).join('-');
  return partialDate.safeParse(out).success && (!m[3] || new Date(`${out}T00:00:00Z`).toISOString().startsWith(out)) ? out : undefined;
}

/** An item reference: 7, 第七项, 第7项, 十七(一), 17（二）, 17-1, or an item id. */
export function parseItemRef(text: string, planId: string): { number?: number; id?: string; part?: string } | undefined {
  const t = foldText(text).replace(/\s+/g, '');
  if (t.startsWith(`${planId}-`)) return { id: t };
  const m = new RegExp(`^第?([${ZH_NUMERAL_CHARS}\\d]+)项?(?:\\(([${ZH_NUMERAL_CHARS}\\d]+)\\)|-(\\d+))?$`).exec(t);
  if (!m) return undefined;
  const number = parseNumeral(m[1]!);
  if (!number) return undefined;
  const part = m[2] ?? m[3];
  return part ? { number, part } : { number };
}

/** The item's part whose label means `part` ("(一)", "（一）", "一", "1" all mean the first). */
function findPart(item: Item, part: string): string | undefined {
  const want = parseNumeral(foldText(part).replace(/[()\s]/g, ''));
  return item.parts.find((p) => p.label !== undefined && (foldText(p.label) === foldText(part) || parseNumeral(foldText(p.label).replace(/[().、\s]/g, '')) === want))?.label;
}

/**
 * Reads a ledger table (rows of cells) into status entries for the items of
 * `options.planId`. Returns errors instead of entries when any row is bad.
 */
export function readLedger(table: readonly (readonly Cell[])[], content: Content, options: LedgerOptions, onProgress: (message: string) => void = () => {}): LedgerResult {
  const errors: LedgerError[] = [];
  const result: LedgerResult = { entries: [], errors, notes: [], ignoredColumns: [], rows: 0, emptyRows: [] };
  const headerIndex = table.slice(0, 15).findIndex((row) => {
    const cols = mapHeader(row);
    return cols.includes('ref') && cols.includes('status');
  });
  if (headerIndex < 0) {
    errors.push({ row: 1, message: `没有找到表头：需要“${LEDGER_HEADERS.ref.join('/')}”列和“${LEDGER_HEADERS.status.join('/')}”列` });
    return result;
  }
  result.headerRow = headerIndex + 1;
  const header = table[headerIndex]!;
  const columns = mapHeader(header);
  const name = (i: number) => `“${cellText(header[i])}”列（${letter(i)}）`;
  const at = new Map<LedgerColumn, number>();
  columns.forEach((c, i) => {
    if (!c) {
      if (cellText(header[i])) result.ignoredColumns.push(`${cellText(header[i])}（${letter(i)}）`);
      return;
    }
    if (at.has(c)) errors.push({ row: headerIndex + 1, column: name(i), message: `与${name(at.get(c)!)}是同一列（${LEDGER_HEADERS[c][0]}）` });
    else at.set(c, i);
  });
  if (!at.has('date') && !options.date) {
    errors.push({ row: headerIndex + 1, message: '台账没有日期列；请用 --date YYYY-MM-DD 给出这些进展的日期' });
  }
  if (options.date && !partialDate.safeParse(options.date).success) errors.push({ row: headerIndex + 1, message: `--date 格式应为 YYYY-MM-DD：${options.date}` });
  if (!content.sources.some((s) => s.id === options.sourceDoc)) {
    errors.push({ row: headerIndex + 1, message: `来源 ${options.sourceDoc} 不在 content/sources.yaml 中；请先登记台账所属的文件` });
  }
  if (!content.plans.some((p) => p.id === options.planId)) errors.push({ row: headerIndex + 1, message: `没有整改方案 ${options.planId}` });
  if (errors.length) return result;

  const reference = (['problem', 'deadline', 'units', 'remark'] as const).filter((c) => at.has(c));
  if (reference.length) result.notes.push(`仅供对照、不导入的列：${reference.map((c) => name(at.get(c)!)).join('、')}`);
  const plan = content.plans.find((p) => p.id === options.planId)!;
  const items = content.items.filter((i) => i.plan === options.planId);
  const seen = new Map<string, number>();
  const rows = table.slice(headerIndex + 1);
  rows.forEach((row, k) => {
    const rowNo = headerIndex + 2 + k;
    if ((k + 1) % 500 === 0) onProgress(`已检查 ${k + 1}/${rows.length} 行`);
    const get = (c: LedgerColumn) => (at.has(c) ? cellText(row[at.get(c)!]) : '');
    const col = (c: LedgerColumn) => name(at.get(c)!);
    if (row.every((cell) => cellText(cell) === '')) return;
    result.rows++;
    const statusText = get('status');
    const progress = get('progress');
    if (!statusText && !progress) {
      result.emptyRows.push(rowNo);
      return;
    }
    const bad = (c: LedgerColumn | undefined, message: string) => errors.push({ row: rowNo, ...(c ? { column: col(c) } : {}), message });

    const ref = parseItemRef(get('ref'), options.planId);
    let item: Item | undefined;
    if (!get('ref')) bad('ref', '缺少序号');
    else if (!ref) bad('ref', `无法识别的序号“${get('ref')}”`);
    else {
      item = ref.id ? items.find((i) => i.id === ref.id) : items.find((i) => i.number === ref.number || i.alsoNumbers.includes(ref.number!));
      if (!item) bad('ref', `方案 ${options.planId} 中没有第${ref.number ?? ref.id}项`);
    }
    let part: string | undefined;
    const partText = get('part') || ref?.part || '';
    if (item && partText) {
      part = findPart(item, partText);
      if (!part) bad(get('part') ? 'part' : 'ref', `${item.id} 没有分项“${partText}”（有：${item.parts.map((p) => p.label ?? '无编号').join('、')}）`);
    }
    const status = statusText ? parseStatus(statusText) : undefined;
    if (!statusText) bad('status', '有进展情况但缺少完成情况');
    else if (!status) bad('status', `无法识别的完成情况“${statusText}”（可填：${STATUSES.map((s) => s.label).join('、')}）`);
    let date = options.date;
    if (get('date')) {
      date = parseLedgerDate(get('date'));
      if (!date) bad('date', `无法识别的日期“${get('date')}”（应为 2021-03-31 或 2021年3月31日）`);
    }
    let evidence = options.evidence ?? 'self-reported';
    if (get('evidence')) {
      const e = EVIDENCE_WORDS[foldText(get('evidence')).replace(/\s+/g, '')] ?? (EVIDENCE_TIERS as readonly string[]).find((x) => x === get('evidence'));
      if (!e) bad('evidence', `无法识别的证据类型“${get('evidence')}”（可填：${Object.keys(EVIDENCE_WORDS).join('、')}）`);
      else evidence = e as EvidenceTier;
    }
    if (!item || !status || !date) return;
    const key = `${item.id}|${part ?? ''}`;
    if (seen.has(key)) {
      bad('ref', `与第${seen.get(key)}行是同一${part ? '分项' : '项'}`);
      return;
    }
    seen.set(key, rowNo);
    checkReference(item, part, date, (c) => get(c), (c) => col(c), rowNo, plan, result.notes);
    const entry: StatusEntry = {
      date,
      status,
      ...(part !== undefined ? { part } : {}),
      ...(progress ? { note: progress } : {}),
      evidence,
      source: { doc: options.sourceDoc, locator: `${options.locator ?? '台账'} 第${rowNo}行` },
    };
    const replaces = item.statusHistory.findIndex((h) => h.date === entry.date && h.part === entry.part && h.source.doc === entry.source.doc && h.source.locator === entry.source.locator);
    result.entries.push({ item: item.id, row: rowNo, entry, ...(replaces >= 0 ? { replaces } : {}) });
  });
  if (errors.length) result.entries = [];
  return result;
}

/** Notes where a row's 问题 / 整改时限 / 责任单位 differ from the item's (amended) text. */
function checkReference(
  item: Item,
  part: string | undefined,
  date: string,
  get: (c: LedgerColumn) => string,
  col: (c: LedgerColumn) => string,
  row: number,
  plan: { amendments: Parameters<typeof revisionsOf>[1] },
  notes: string[],
): void {
  const same = (a: string, b: string | undefined) => b !== undefined && foldText(a).replace(/\s+/g, '') === foldText(b).replace(/\s+/g, '');
  const problem = get('problem');
  if (problem && item.problem) {
    const a = foldText(problem).replace(/\s+/g, '').replace(/[。.…]+$/, '');
    const b = foldText(item.problem).replace(/\s+/g, '');
    if (!b.startsWith(a) && !a.startsWith(b) && !b.includes(a)) notes.push(`第${row}行${col('problem')}与 ${item.id} 的问题不同，请核对序号`);
  }
  const parts = currentParts(item, revisionsOf(item, plan.amendments, endOfPeriod(date)));
  const current = part !== undefined ? parts.find((p) => p.label === part) : parts.length === 1 ? parts[0] : undefined;
  if (!current) return;
  if (get('deadline') && current.deadline !== undefined && !same(get('deadline'), current.deadline)) {
    notes.push(`第${row}行${col('deadline')}“${get('deadline')}”与 ${item.id} 的整改时限“${current.deadline}”不同（如有调整，应作为修改通知导入）`);
  }
  if (get('units') && current.responsibleUnits && !same(get('units'), current.responsibleUnits.text)) {
    notes.push(`第${row}行${col('units')}“${get('units')}”与 ${item.id} 的责任单位“${current.responsibleUnits.text}”不同`);
  }
}

/** The items with the ledger's entries applied (appended, or replacing the same citation). */
export function applyLedger(content: Content, entries: readonly LedgerEntry[]): Item[] {
  const changed = new Map<string, Item>();
  for (const e of entries) {
    const item = changed.get(e.item) ?? content.items.find((i) => i.id === e.item)!;
    const history = [...item.statusHistory];
    if (e.replaces !== undefined) history[e.replaces] = e.entry;
    else history.push(e.entry);
    changed.set(e.item, { ...item, statusHistory: history });
  }
  return [...changed.values()];
}

/** The rows of the ledger template for a plan: one per item, or per part of a multi-part item. */
export function ledgerTemplate(content: Content, planId: string, asOf: string): string[][] {
  const plan = content.plans.find((p) => p.id === planId);
  if (!plan) throw new Error(`没有整改方案 ${planId}`);
  const header = TEMPLATE_COLUMNS.map((c) => LEDGER_HEADERS[c][0]!);
  const rows: string[][] = [header];
  const items = content.items.filter((i) => i.plan === planId).sort((a, b) => a.number - b.number);
  for (const item of items) {
    const parts = currentParts(item, revisionsOf(item, plan.amendments, asOf));
    const multi = parts.length > 1;
    for (const part of multi ? parts : parts.slice(0, 1)) {
      const values: Record<LedgerColumn, string> = {
        ref: String(item.number),
        part: multi ? (part.label ?? '') : '',
        problem: (multi ? part.problem : undefined) ?? item.problem ?? item.gloss ?? '',
        deadline: part.deadline ?? '',
        units: part.responsibleUnits?.text ?? '',
        status: '',
        progress: '',
        date: '',
        evidence: '',
        remark: '',
      };
      rows.push(TEMPLATE_COLUMNS.map((c) => values[c]));
    }
  }
  return rows;
}
