/**
 * The import and export commands (`npm run import -- plan|amendment|ledger
 * FILE`, `npm run export -- ledger`), as functions that report through an
 * output callback and return the exit status, so the tests run them on a
 * temporary copy of content/ without a child process.
 *
 * Every import is a dry run unless `write` is set: it prints what it skipped,
 * what it could not place, and the changes it would make. Exit status: 0 when
 * everything was read (and, with --write, written); 1 when the input or the
 * resulting content is wrong and nothing is written; 2 when some text could
 * not be placed (nothing is written unless `force`).
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadContent, type Content } from '../content/load.ts';
import { todayInChina } from '../domain/dates.ts';
import { EVIDENCE_TIERS, type CollectionName, type EvidenceTier } from '../model/schemas.ts';
import { amendmentRecords } from './amendment-content.ts';
import { parseAmendment } from './amendment-text.ts';
import { appendChange, applyChanges, recordChange, validateChanges, type FileChange } from './changes.ts';
import { describeChanges } from './diff.ts';
import { applyLedger, formatLedgerError, ledgerTemplate, readLedger } from './ledger.ts';
import { readTable, toCsv } from './ledger-file.ts';
import { planRecords } from './plan-content.ts';
import { parsePlan, type Problem } from './plan-text.ts';
import type { Skipped } from './paragraphs.ts';
import { readSource } from './read-file.ts';
import { rangeFormat, type RangeFormat, type SourceDoc } from './source.ts';
import { orderItem, orderPlan, orderSource } from './yaml-out.ts';

export interface CommandIO {
  /** The report (stdout). */
  out: (line: string) => void;
  /** Progress for long files (stderr). */
  progress: (message: string) => void;
}

export interface CommonOptions {
  /** The content folder (default `content`). */
  root?: string;
  write?: boolean;
  /** Write even though some text could not be placed. */
  force?: boolean;
}

export const EXIT = { ok: 0, error: 1, unplaced: 2 } as const;

function loadOrFail(root: string, io: CommandIO): { content: Content; origins: Map<string, string> } | undefined {
  const { content, problems, origins } = loadContent(root, root);
  if (problems.length) {
    io.out(`现有内容无法读取（${problems.length} 处），先修正再导入：`);
    for (const p of problems) io.out(`  ${p.file}${p.field ? ` › ${p.field}` : ''}：${p.message}`);
    return undefined;
  }
  return { content, origins };
}

function reportProblems(title: string, problems: readonly Problem[], io: CommandIO, where: RangeFormat): void {
  if (!problems.length) return;
  io.out(title);
  for (const p of problems) io.out(`  ${p.lines ? `${where(p.lines)}：` : ''}${p.message}`);
}

/** What was skipped, what is doubtful, what could not be placed: the same report for every format, in the file's own places (lines, pages, paragraphs). */
function reportReading(parsed: { skipped: Skipped[]; unplaced: { lines: [number, number]; text: string }[]; warnings: Problem[] }, io: CommandIO, where: RangeFormat): void {
  if (parsed.skipped.length) {
    io.out('未作为整改内容读取的部分：');
    for (const s of parsed.skipped) io.out(`  ${where(s.lines)}  ${s.reason}`);
  }
  reportProblems('提示：', parsed.warnings, io, where);
  if (parsed.unplaced.length) {
    io.out(`无法归位的文本（${parsed.unplaced.length} 段，未导入）：`);
    for (const u of parsed.unplaced) io.out(`  ${where(u.lines)}  “${u.text.length > 60 ? `${u.text.slice(0, 60)}…` : u.text}”`);
  }
}

/** Reads the file, or reports why it cannot be read. */
async function read(file: string, io: CommandIO): Promise<SourceDoc | undefined> {
  try {
    return await readSource(file);
  } catch (error) {
    io.out((error as Error).message);
    return undefined;
  }
}

const FORMAT_NAMES = { txt: '文本', html: '网页', docx: 'Word 文件', pdf: 'PDF' } as const;

/** Validates, previews and (with --write) applies a set of changes. */
function finish(
  root: string,
  content: Content,
  origins: Map<string, string>,
  records: { collection: CollectionName; record: { id: string }; path: string }[],
  changes: FileChange[],
  notes: readonly string[],
  unplaced: number,
  options: CommonOptions,
  io: CommandIO,
): number {
  const invalid = validateChanges(content, origins, records);
  if (invalid.length) {
    io.out('导入结果未通过内容检查，未写入：');
    for (const p of invalid) io.out(`  ${p.file}${p.field ? ` › ${p.field}` : ''}：${p.message}`);
    return EXIT.error;
  }
  if (notes.length) {
    io.out('请编辑留意：');
    for (const n of notes) io.out(`  ${n}`);
  }
  for (const line of describeChanges(changes)) io.out(line);
  if (unplaced && !options.force) {
    io.out(`有 ${unplaced} 段文本无法归位，${options.write ? '未写入' : '写入前请先处理'}（或加 --force 照样写入）。`);
    return EXIT.unplaced;
  }
  if (!changes.length) return unplaced ? EXIT.unplaced : EXIT.ok;
  if (options.write) {
    applyChanges(root, changes);
    io.out(`已写入 ${changes.length} 个文件。`);
  } else {
    io.out('以上为预览，未写入；加 --write 写入。');
  }
  return unplaced ? EXIT.unplaced : EXIT.ok;
}

const pathOf = (origins: Map<string, string>, key: string, fallback: string) => origins.get(key) ?? fallback;

type PlanOptions = CommonOptions & { planId?: string; inspection?: string; region?: string };

/** `import plan FILE` (.txt, .html, .docx, .pdf) */
export async function importPlan(file: string, options: PlanOptions, io: CommandIO): Promise<number> {
  const doc = await read(file, io);
  return doc ? importPlanDoc(doc, basename(file), options, io) : EXIT.error;
}

/** `import plan` on a document already read; `fileName` is recorded as a new source's archived copy. */
export function importPlanDoc(doc: SourceDoc, fileName: string, options: PlanOptions, io: CommandIO): number {
  const root = options.root ?? 'content';
  io.progress(`读取${FORMAT_NAMES[doc.format]}：${doc.lines.length} 行`);
  const where = rangeFormat(doc);
  const parsed = parsePlan(doc, io.progress);
  reportReading(parsed, io, where);
  if (parsed.artefacts) io.out(`文本含 ${parsed.artefacts} 处拼音转换残留（如“環(huán)境”），已照原样保留。`);
  if (!parsed.items.length) {
    io.out('没有读到任何整改任务，未导入。');
    return EXIT.error;
  }
  io.out(`读到方案《${parsed.title ?? '?'}》${parsed.docNumber ? `（${parsed.docNumber}）` : ''}：${parsed.groups.length} 个分组，${parsed.items.length} 项整改任务。`);
  const loaded = loadOrFail(root, io);
  if (!loaded) return EXIT.error;
  const { content, origins } = loaded;
  const r = planRecords(parsed, content, { ...options, fileName });
  if (r.problems.length) {
    reportProblems('无法导入：', r.problems, io, where);
    return EXIT.error;
  }
  io.progress('对照现有内容');
  const width = Math.max(2, String(Math.max(...parsed.items.map((i) => i.number))).length);
  const records: { collection: CollectionName; record: { id: string }; path: string }[] = [];
  const changes: FileChange[] = [];
  const planPath = pathOf(origins, `plans:${r.plan.id}`, `plans/${r.plan.id}.yaml`);
  records.push({ collection: 'plans', record: r.plan, path: planPath });
  const planChange = recordChange(root, planPath, 'plans', orderPlan(r.plan), `整改方案 ${r.plan.id}`, r.comments.get(r.plan.id));
  if (planChange) changes.push(planChange);
  for (const [k, item] of r.items.entries()) {
    if ((k + 1) % 100 === 0) io.progress(`已对照 ${k + 1}/${r.items.length} 项`);
    const path = pathOf(origins, `items:${item.id}`, `items/${r.plan.id}/${String(item.number).padStart(width, '0')}.yaml`);
    records.push({ collection: 'items', record: item, path });
    const change = recordChange(root, path, 'items', orderItem(item), `整改任务 ${item.id}（${parsed.items[k]?.printed ?? item.number}）`, r.comments.get(item.id));
    if (change) changes.push(change);
  }
  for (const s of r.newSources) records.push({ collection: 'sources', record: s, path: 'sources.yaml' });
  const sourceChange = appendChange(root, 'sources.yaml', r.newSources.map(orderSource), `来源 ${r.newSources.map((s) => s.id).join('、')}`);
  if (sourceChange) changes.unshift(sourceChange);
  return finish(root, content, origins, records, changes, r.notes, parsed.unplaced.length, options, io);
}

/** `import amendment FILE` (.txt, .html, .docx, .pdf): the notice is found wherever it is in the file. */
export async function importAmendment(file: string, options: CommonOptions & { planId?: string }, io: CommandIO): Promise<number> {
  const doc = await read(file, io);
  return doc ? importAmendmentDoc(doc, basename(file), options, io) : EXIT.error;
}

/** `import amendment` on a document already read. */
export function importAmendmentDoc(doc: SourceDoc, fileName: string, options: CommonOptions & { planId?: string }, io: CommandIO): number {
  const root = options.root ?? 'content';
  io.progress(`读取${FORMAT_NAMES[doc.format]}：${doc.lines.length} 行`);
  const where = rangeFormat(doc);
  const parsed = parseAmendment(doc, io.progress);
  reportReading(parsed, io, where);
  if (!parsed.sections.length) {
    io.out('没有读到任何修改，未导入。');
    return EXIT.error;
  }
  io.out(`读到《${parsed.title ?? '?'}》（${parsed.date ?? '日期不明'}）：${parsed.sections.length} 项修改。`);
  const loaded = loadOrFail(root, io);
  if (!loaded) return EXIT.error;
  const { content, origins } = loaded;
  const r = amendmentRecords(parsed, content, { ...(options.planId ? { planId: options.planId } : {}), fileName });
  if (r.problems.length || !r.plan) {
    reportProblems('无法导入：', r.problems, io, where);
    return EXIT.error;
  }
  const planPath = pathOf(origins, `plans:${r.plan.id}`, `plans/${r.plan.id}.yaml`);
  const records: { collection: CollectionName; record: { id: string }; path: string }[] = [{ collection: 'plans', record: r.plan, path: planPath }];
  for (const s of r.newSources) records.push({ collection: 'sources', record: s, path: 'sources.yaml' });
  const changes: FileChange[] = [];
  const sourceChange = appendChange(root, 'sources.yaml', r.newSources.map(orderSource), `来源 ${r.newSources.map((s) => s.id).join('、')}`);
  if (sourceChange) changes.push(sourceChange);
  const planChange = recordChange(root, planPath, 'plans', orderPlan(r.plan), `整改方案 ${r.plan.id} 的修改 ${r.amendment!.id}`);
  if (planChange) changes.push(planChange);
  return finish(root, content, origins, records, changes, r.notes, parsed.unplaced.length, options, io);
}

/** `import ledger FILE.csv|FILE.xlsx` */
export async function importLedger(
  file: string,
  options: CommonOptions & { planId?: string; sourceDoc?: string; locator?: string; date?: string; evidence?: string },
  io: CommandIO,
): Promise<number> {
  const root = options.root ?? 'content';
  if (!options.planId || !options.sourceDoc) {
    io.out('台账导入需要 --plan 方案id 和 --source 来源id（台账所属的文件，须已在 content/sources.yaml 中）。');
    return EXIT.error;
  }
  if (options.evidence && !(EVIDENCE_TIERS as readonly string[]).includes(options.evidence)) {
    io.out(`--evidence 应为 ${EVIDENCE_TIERS.join('、')} 之一`);
    return EXIT.error;
  }
  const table = await readTable(file);
  io.progress(`读取 ${table.length} 行`);
  const loaded = loadOrFail(root, io);
  if (!loaded) return EXIT.error;
  const { content, origins } = loaded;
  const result = readLedger(
    table,
    content,
    {
      planId: options.planId,
      sourceDoc: options.sourceDoc,
      ...(options.locator ? { locator: options.locator } : {}),
      ...(options.date ? { date: options.date } : {}),
      ...(options.evidence ? { evidence: options.evidence as EvidenceTier } : {}),
    },
    io.progress,
  );
  if (result.ignoredColumns.length) io.out(`未读取的列：${result.ignoredColumns.join('、')}`);
  if (result.errors.length) {
    io.out(`台账有 ${result.errors.length} 处错误，整份文件未导入：`);
    for (const e of result.errors) io.out(`  ${formatLedgerError(e)}`);
    return EXIT.error;
  }
  const empty = result.emptyRows;
  const listed = empty.length > 20 ? `${empty.slice(0, 20).join('、')}……` : empty.join('、');
  io.out(`读到 ${result.rows} 行（表头在第${result.headerRow}行）：${result.entries.length} 条进展${empty.length ? `，${empty.length} 行未填完成情况和进展（跳过：第${listed}行）` : ''}。`);
  const items = applyLedger(content, result.entries);
  const records: { collection: CollectionName; record: { id: string }; path: string }[] = [];
  const changes: FileChange[] = [];
  for (const item of items) {
    const path = pathOf(origins, `items:${item.id}`, `items/${item.plan}/${item.id}.yaml`);
    records.push({ collection: 'items', record: item, path });
    const change = recordChange(root, path, 'items', orderItem(item), `整改任务 ${item.id}`);
    if (change) changes.push(change);
  }
  return finish(root, content, origins, records, changes, result.notes, 0, options, io);
}

/** `export ledger --plan ID [--out FILE]`: the ledger template, as CSV with a BOM. */
export function exportLedger(options: { root?: string; planId?: string; out?: string; asOf?: string }, io: CommandIO): number {
  const root = options.root ?? 'content';
  const loaded = loadOrFail(root, io);
  if (!loaded) return EXIT.error;
  const plans = loaded.content.plans.map((p) => p.id);
  if (!options.planId || !plans.includes(options.planId)) {
    io.out(`请用 --plan 指定方案：${plans.join('、')}`);
    return EXIT.error;
  }
  const rows = ledgerTemplate(loaded.content, options.planId, options.asOf ?? todayInChina());
  const csv = toCsv(rows);
  const out = options.out ?? `ledger-${options.planId}.csv`;
  if (out === '-') {
    io.out(csv);
    return EXIT.ok;
  }
  writeFileSync(out, csv);
  io.out(`已写出台账模板 ${out}：${rows.length - 1} 行（列：${rows[0]!.join('、')}）。`);
  return EXIT.ok;
}
