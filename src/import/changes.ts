/**
 * What an import would change, as a set of file changes: checked against the
 * schemas and the cross-reference rules before anything is written, then
 * applied together.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { checkIntegrity } from '../content/integrity.ts';
import type { Content, ContentProblem } from '../content/load.ts';
import { collections, type CollectionName } from '../model/schemas.ts';
import { appendToList, newFileText, patchFileText } from './yaml-out.ts';

export interface FileChange {
  /** Path relative to the content root. */
  path: string;
  kind: 'create' | 'update';
  /** What the file holds, for the report: "整改任务 wuwei-2020-07（第七项）". */
  what: string;
  /** The record (or list of records) before and after. */
  before?: unknown;
  after: unknown;
  /** The new text of the file. */
  text: string;
}

/**
 * The change that writes `record` (already in file order) to the one-record
 * file `path`, or undefined when the file already says the same. Records are
 * compared after validation, so a default the file leaves out is no change.
 */
export function recordChange(
  root: string,
  path: string,
  collection: CollectionName,
  record: object,
  what: string,
  comment?: string,
): FileChange | undefined {
  const full = join(root, path);
  if (!existsSync(full)) return { path, kind: 'create', what, after: record, text: newFileText(record, comment) };
  const raw = readFileSync(full, 'utf8');
  const before = parse(raw) as unknown;
  const schema = collections[collection];
  const a = schema.safeParse(before);
  const b = schema.safeParse(record);
  if (a.success && b.success && isDeepStrictEqual(a.data, b.data)) return undefined;
  const text = patchFileText(raw, record);
  return text === raw ? undefined : { path, kind: 'update', what, before, after: record, text };
}

/** The change that appends `records` to the list file `path` (sources.yaml). */
export function appendChange(root: string, path: string, records: readonly object[], what: string): FileChange | undefined {
  if (!records.length) return undefined;
  const full = join(root, path);
  const raw = existsSync(full) ? readFileSync(full, 'utf8') : '';
  return { path, kind: 'update', what, before: [], after: records, text: appendToList(raw, records) };
}

/**
 * Problems the changed records would bring: schema errors in the records,
 * and cross-reference errors in the content with the records in place that
 * the content did not have before (so work in progress elsewhere in content/
 * does not block an import).
 */
export function validateChanges(
  content: Content,
  origins: Map<string, string>,
  records: { collection: CollectionName; record: { id: string }; path: string }[],
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const next = Object.fromEntries(Object.entries(content).map(([k, v]) => [k, [...v]])) as unknown as Content;
  const nextOrigins = new Map(origins);
  for (const { collection, record, path } of records) {
    const parsed = collections[collection].safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ file: path, field: issue.path.map(String).join('.'), message: issue.message });
      continue;
    }
    const list = next[collection] as { id: string }[];
    const at = list.findIndex((r) => r.id === record.id);
    if (at >= 0) list[at] = parsed.data as { id: string };
    else list.push(parsed.data as { id: string });
    nextOrigins.set(`${collection}:${record.id}`, path);
  }
  if (problems.length) return problems;
  const key = (p: ContentProblem) => `${p.file}|${p.field}|${p.message}`;
  const before = new Set(checkIntegrity(content, origins).map(key));
  return checkIntegrity(next, nextOrigins).filter((p) => !before.has(key(p)));
}

/**
 * Writes the changes: every file to a temporary name first, then all renamed
 * into place, so a failure while writing leaves content/ as it was.
 */
export function applyChanges(root: string, changes: readonly FileChange[]): void {
  const staged: [string, string][] = [];
  try {
    for (const c of changes) {
      const target = join(root, c.path);
      mkdirSync(dirname(target), { recursive: true });
      const temp = `${target}.import-${process.pid}.tmp`;
      writeFileSync(temp, c.text);
      staged.push([temp, target]);
    }
  } catch (error) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw error;
  }
  for (const [temp, target] of staged) renameSync(temp, target);
}
