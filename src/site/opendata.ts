/**
 * Open data: the tables the portal publishes as CSV and JSON, and the field
 * dictionary that documents every column. Built from the same read model as
 * the pages, so a figure on a page can be recomputed from these files.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import type { Plan } from '../model/schemas.ts';
import { deadlineCategoryDefinition, describeDeadline, dueDate } from '../domain/deadline.ts';
import { statusLabel } from '../domain/status.ts';
import { measuresToText } from '../domain/amend.ts';
import { EVIDENCE_LABELS, FIELD_LABELS, OUTCOME_LABELS } from '../model/labels.ts';
import { csvDownload, csvRecords } from './csv.ts';
import { urls } from './urls.ts';

export type Row = Record<string, string | number | boolean | null>;
export interface Table {
  name: string;
  title: string;
  /** Column name → meaning, in column order. */
  columns: Record<string, string>;
  rows: (portal: Portal) => Row[];
  /**
   * Where the rows come from, for writing the table in parts (src/site/open-data-build.ts): an
   * item's rows (the table is every item's, in `portal.items` order), a plan's (every plan's, in
   * `content.plans` order), or neither (the table prints records that are not items).
   */
  of?: { item: (p: PortalItem) => Row[] } | { plan: (plan: Plan) => Row[] };
}

/** A table whose rows are every item's or every plan's (`of`), in order. */
function perItem(item: (p: PortalItem) => Row[]): Pick<Table, 'rows' | 'of'> {
  return { rows: (portal) => portal.items.flatMap(item), of: { item } };
}
function perPlan(plan: (plan: Plan) => Row[]): Pick<Table, 'rows' | 'of'> {
  return { rows: (portal) => portal.content.plans.flatMap(plan), of: { plan } };
}

const yesNo = (b: boolean | undefined) => (b === undefined ? null : b);

/** One row of the items table: an item's identity, current status and its assessment on both clocks. */
export function itemRow(p: PortalItem): Row {
  return {
    id: p.item.id,
    plan_id: p.plan.id,
    plan_title: p.plan.title,
    group: p.groupTitle ?? null,
    number: p.item.number,
    also_numbers: p.item.alsoNumbers.join('、'),
    title: p.title,
    problem: p.item.problem ?? null,
    parts: p.parts.length,
    regions: p.item.regions.join(';'),
    responsible_units: p.responsibleUnits.join(';'),
    status: statusLabel(p.assessment.status),
    status_date: p.assessment.statusDate ?? null,
    status_evidence: p.assessment.statusEvidence ? EVIDENCE_LABELS[p.assessment.statusEvidence as keyof typeof EVIDENCE_LABELS] : null,
    status_contradiction: p.assessment.statusIndex !== undefined && !!p.item.statusHistory[p.assessment.statusIndex]?.contradiction,
    done: p.assessment.done,
    disclosed: p.assessment.disclosed,
    deadline_category: deadlineCategoryDefinition(p.assessment.deadlineCategory.current).label,
    deadline_category_original: deadlineCategoryDefinition(p.assessment.deadlineCategory.original).label,
    due_original: p.assessment.due.original ?? null,
    due_current: p.assessment.due.current ?? null,
    overdue_original: p.assessment.overdue.original,
    overdue_current: p.assessment.overdue.current,
    overdue_unreported: p.assessment.overdueUnreported,
    on_time_current: yesNo(p.assessment.onTime.current),
    on_time_original: yesNo(p.assessment.onTime.original),
    amended: p.revisions.length > 0,
    url: urls.item(p.item.id),
    source: p.item.source.doc,
  };
}

export const TABLES: Table[] = [
  {
    name: 'items',
    title: '整改任务',
    columns: {
      id: '任务的稳定编号（亦用于网址）',
      plan_id: '所属整改方案编号',
      plan_title: '整改方案名称',
      group: '方案中的分组标题',
      number: '方案中的序号（第X项）；合并任务的其他序号见 also_numbers',
      also_numbers: '合并整改的其他序号，以“、”分隔',
      title: '问题首句（本平台摘取）',
      problem: '反馈问题原文',
      parts: '分项数',
      regions: '地区编号，以“;”分隔',
      responsible_units: '责任单位编号（现行），以“;”分隔',
      status: '当前状态（未公开进展表示无来源给出状态）',
      status_date: '当前状态所依据的公开日期',
      status_evidence: '当前状态所依据记录的证据类别（无公开进展为空）',
      status_contradiction: '当前状态所依据的来源是否自相矛盾（另一种说法见 statuses.csv 的 contradiction 列）',
      done: '是否计为完成（已销号、已完成、基本完成）',
      disclosed: '是否有任何公开进展',
      deadline_category: '现行整改时限的类别：有到期日、无期限（立行立改、长期坚持等）、时限另定、时限未公开（来源未给出时限，不等于无期限）',
      deadline_category_original: '原定整改时限的类别',
      due_original: '按原定时限的到期日（无具体日期为空）',
      due_current: '按现行（修改后）时限的到期日',
      overdue_original: '按原定时限是否逾期未完成',
      overdue_current: '按现行时限是否逾期未完成',
      overdue_unreported: '是否逾期未报（现行时限已过且无任何公开进展）',
      on_time_current: '现行时限已过的任务是否按期完成（未到期为空）',
      on_time_original: '原定时限已过的任务是否按期完成（未到期为空）',
      amended: '是否被方案修改通知修改过',
      url: '任务页面网址',
      source: '来源文件编号',
    },
    ...perItem((p) => [itemRow(p)]),
  },
  {
    name: 'parts',
    title: '整改任务分项（现行内容）',
    columns: {
      item_id: '任务编号',
      part: '分项编号（单一分项为空）',
      problem: '分项问题原文',
      target: '整改目标（现行）',
      deadline_text: '整改时限原文（现行）',
      deadline_parsed: '整改时限解析结果',
      deadline_category: '整改时限的类别（有到期日、无期限、时限另定、时限未公开）',
      due: '到期日（无具体日期为空）',
      responsible_units: '责任单位原文',
      responsible_leaders: '责任领导原文',
      responsible_persons: '责任人员原文',
      supervising_units: '督导单位原文',
      measures: '整改措施原文，每条一行',
      status: '分项当前状态',
    },
    ...perItem((p) =>
        p.parts.map((part, k) => ({
          item_id: p.item.id,
          part: part.label ?? null,
          problem: part.problem ?? null,
          target: part.target ?? null,
          deadline_text: part.deadline ?? null,
          deadline_parsed: describeDeadline(p.assessment.parts[k]!.deadline.current),
          deadline_category: deadlineCategoryDefinition(p.assessment.parts[k]!.deadlineCategory.current).label,
          due: dueDate(p.assessment.parts[k]!.deadline.current) ?? null,
          responsible_units: part.responsibleUnits?.text ?? null,
          responsible_leaders: part.responsibleLeaders?.text ?? null,
          responsible_persons: part.responsiblePersons?.text ?? null,
          supervising_units: part.supervisingUnits?.text ?? null,
          measures: part.measures.length ? measuresToText(part.measures) : null,
          status: statusLabel(p.assessment.parts[k]!.status),
        })),
    ),
  },
  {
    name: 'statuses',
    title: '状态记录',
    columns: {
      item_id: '任务编号',
      part: '适用分项（空为整项）',
      date: '状态所依据的公开日期',
      status: '状态',
      evidence: '证据类别',
      note: '来源原文摘录',
      source: '来源文件编号',
      locator: '在来源文件中的位置',
      quote: '本状态所依据的来源原文（如所列类别）',
      contradiction: '来源中与本状态矛盾的另一种说法原文（无矛盾为空）',
      contradiction_reading: '按另一种说法应为的状态',
    },
    ...perItem((p) =>
        p.item.statusHistory.map((h) => ({
          item_id: p.item.id,
          part: h.part ?? null,
          date: h.date,
          status: statusLabel(h.status),
          evidence: EVIDENCE_LABELS[h.evidence],
          note: h.note ?? null,
          source: h.source.doc,
          locator: h.source.locator ?? null,
          quote: h.source.quote ?? null,
          contradiction: h.contradiction?.quote ?? null,
          contradiction_reading: h.contradiction?.reading ? statusLabel(h.contradiction.reading) : null,
        })),
    ),
  },
  {
    name: 'amendments',
    title: '方案修改',
    columns: {
      amendment_id: '修改通知编号',
      date: '修改日期',
      item_id: '任务编号',
      part: '分项',
      field: '被修改的字段',
      opinion: '审核意见原文',
      before: '修改前原文',
      after: '修改后原文',
      review_doc: '审核意见文号',
    },
    ...perPlan((plan) =>
        plan.amendments.flatMap((a) =>
          a.changes.map((c) => ({
            amendment_id: a.id,
            date: a.date,
            item_id: c.item,
            part: c.part ?? null,
            field: FIELD_LABELS[c.field],
            opinion: c.opinion ?? null,
            before: c.before,
            after: c.after,
            review_doc: a.reviewDocNumber ?? null,
          })),
        ),
    ),
  },
  {
    name: 'cases',
    title: '典型案例',
    columns: {
      id: '案例编号', title: '标题（本平台拟定）', date: '通报日期', event_date: '事件日期', regions: '地区编号', kinds: '类型',
      summary: '基本情况原文', problems: '主要问题原文', causes: '原因分析原文', consequences: '处理与要求原文', related_items: '相关任务编号', source: '来源文件编号',
    },
    rows: (portal) =>
      portal.content.cases.map((c) => ({
        id: c.id, title: c.title, date: c.date, event_date: c.eventDate ?? null, regions: c.regions.join(';'), kinds: c.kinds.join(';'),
        summary: c.summary, problems: c.problems ?? null, causes: c.causes ?? null, consequences: c.consequences ?? null,
        related_items: c.relatedItems.join(';'), source: c.source.doc,
      })),
  },
  {
    name: 'reporting-outcomes',
    title: '上报情况',
    columns: {
      round_id: '上报轮次编号', round_title: '上报轮次', due_on: '上报期限', assessed_on: '通报日期', region: '地区编号', region_name: '地区',
      outcome: '上报结果', assessment: '通报评价原文', new_due_on: '新期限',
    },
    rows: (portal) =>
      portal.content.reportingRounds.flatMap((r) =>
        r.outcomes.map((o) => ({
          round_id: r.id, round_title: r.title, due_on: r.dueOn, assessed_on: r.assessedOn, region: o.region,
          region_name: portal.region(o.region)?.name ?? o.region, outcome: OUTCOME_LABELS[o.outcome], assessment: o.assessment ?? null, new_due_on: r.newDueOn ?? null,
        })),
      ),
  },
  {
    name: 'progress-summaries',
    title: '进展汇总数字',
    columns: { summary_id: '汇总编号', title: '标题', as_of: '截至日期', region: '地区编号', label: '项目', value: '数值', unit: '单位', as_printed: '原文写法', source: '来源文件编号' },
    rows: (portal) =>
      portal.content.progressSummaries.flatMap((s) =>
        s.figures.map((f) => ({ summary_id: s.id, title: s.title, as_of: s.asOf, region: s.region, label: f.label, value: f.value, unit: f.unit, as_printed: f.asPrinted ?? null, source: s.source.doc })),
      ),
  },
];

/**
 * The one CSV writer of the open data (tables, per-page downloads): UTF-8 with a byte-order mark,
 * so Excel opens the Chinese text correctly; booleans as 是/否, nulls empty; text cells that
 * would run as formulas disarmed (csv.ts).
 */
const cellsOf = (columns: readonly string[], r: Row) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : typeof r[c] === 'boolean' ? (r[c] ? '是' : '否') : r[c]));

export function csvOf(columns: readonly string[], records: readonly Row[]): string {
  return csvDownload([[...columns], ...records.map((r) => cellsOf(columns, r))], { record_delimiter: 'windows' });
}

/**
 * Whole-corpus files are written in parts (rows a few thousand at a time) and joined as bytes:
 * never one string of the whole corpus (214 MB at 50,000 items, and V8 strings stop at 512 MB).
 * The bytes are the same as writing it in one go. The open-data build step
 * (src/site/open-data-build.ts) writes the same pieces to disk per plan and joins them there.
 */
const CHUNK = 2000;

export function csvBytes(table: Table, portal: Portal): Buffer {
  return rowsCsvBytes(Object.keys(table.columns), table.rows(portal), (r) => r);
}

/** The first line of a CSV file (with the byte-order mark). */
export const csvHeader = (columns: readonly string[]) => csvDownload([[...columns]], { record_delimiter: 'windows' });
/** Rows of a CSV file as they follow its header, each line ended. */
export const csvLines = (columns: readonly string[], rows: readonly Row[]) => csvRecords(rows.map((r) => cellsOf(columns, r)), { record_delimiter: 'windows' });

/** csvOf(columns, records.map(row)) as bytes, written CHUNK records at a time. */
export function rowsCsvBytes<T>(columns: readonly string[], records: readonly T[], row: (r: T) => Row): Buffer {
  const parts = [Buffer.from(csvHeader(columns))];
  for (let k = 0; k < records.length; k += CHUNK) parts.push(Buffer.from(csvLines(columns, records.slice(k, k + CHUNK).map(row))));
  return Buffer.concat(parts);
}

/** One record of a list in jsonBytes' layout, with the comma before it (a list's first record drops it). */
export const jsonRecord = (r: unknown) => `,\n  ${JSON.stringify(r, null, 1).replaceAll('\n', '\n  ')}`;
/** A list's text in jsonBytes' layout from its records' jsonRecord texts, written in order: `[]`, or `[` … `\n ]`. */
export const JSON_LIST = { empty: '[]', open: '[', close: '\n ]' } as const;

/**
 * The layout of `JSON.stringify({ ...head, ...lists }, null, 1)`: text pieces, and in between the
 * names of the lists, whose records go there (jsonRecord, inside JSON_LIST).
 */
export function jsonLayout(head: Record<string, unknown>, lists: readonly string[]): ({ text: string } | { list: string })[] {
  const fields = [...Object.entries(head).map(([k, v]) => [k, v, false] as const), ...lists.map((k) => [k, undefined, true] as const)];
  const out: ({ text: string } | { list: string })[] = [{ text: '{' }];
  fields.forEach(([key, value, isList], i) => {
    out.push({ text: `${i > 0 ? ',' : ''}\n ${JSON.stringify(key)}: ` });
    out.push(isList ? { list: key } : { text: JSON.stringify(value, null, 1).replaceAll('\n', '\n ') });
  });
  out.push({ text: fields.length ? '\n}' : '}' });
  return out;
}

/**
 * `JSON.stringify(head + { [key]: list }, null, 1)` written a record at a time: each record is
 * stringified alone and indented to its depth (JSON strings hold no raw line breaks).
 */
export function jsonBytes(head: Record<string, unknown>, lists: Record<string, readonly unknown[]>): Buffer {
  const parts: Buffer[] = [];
  for (const piece of jsonLayout(head, Object.keys(lists))) {
    if ('text' in piece) {
      parts.push(Buffer.from(piece.text));
      continue;
    }
    const list = lists[piece.list]!;
    if (list.length === 0) {
      parts.push(Buffer.from(JSON_LIST.empty));
      continue;
    }
    parts.push(Buffer.from(JSON_LIST.open));
    for (let k = 0; k < list.length; k += CHUNK) parts.push(Buffer.from(list.slice(k, k + CHUNK).map(jsonRecord).join('').slice(k === 0 ? 1 : 0)));
    parts.push(Buffer.from(JSON_LIST.close));
  }
  return Buffer.concat(parts);
}

/** The head of a table's JSON file (its rows follow). */
export const tableJsonHead = (table: Table, portal: Pick<Portal, 'asOf'>) => ({ table: table.name, title: table.title, asOf: portal.asOf });

export function tableJsonBytes(table: Table, portal: Portal): Buffer {
  return jsonBytes(tableJsonHead(table, portal), { rows: table.rows(portal) });
}

export function toCsv(table: Table, portal: Portal): string {
  return csvBytes(table, portal).toString('utf8');
}

export function toJson(table: Table, portal: Portal): string {
  return tableJsonBytes(table, portal).toString('utf8');
}
