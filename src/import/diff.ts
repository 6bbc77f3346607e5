/**
 * The preview an import prints before anything is written: new files, and
 * for changed ones each field that changes, old and new. Long texts that
 * differ by a few characters are shown as a character diff (Chinese has no
 * word boundaries), with [-删去-] and {+加入+} marks.
 */
import { diffChars } from 'diff';
import { isDeepStrictEqual } from 'node:util';
import { statusLabel, type StatusId } from '../domain/status.ts';
import type { FileChange } from './changes.ts';

export interface FieldDiff {
  path: string;
  before: unknown;
  after: unknown;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** The leaves that differ between two records (appended list entries are one change each). */
export function fieldDiffs(before: unknown, after: unknown, path = ''): FieldDiff[] {
  if (isDeepStrictEqual(before, after)) return [];
  // A record added or removed as a whole is shown field by field — except a
  // status entry, which reads best on one line.
  const expandable = (x: unknown) => typeof x === 'object' && x !== null && !(('status' in x) && ('date' in x));
  if (before === undefined && expandable(after)) return fieldDiffs(Array.isArray(after) ? [] : {}, after, path);
  if (after === undefined && expandable(before)) return fieldDiffs(before, Array.isArray(before) ? [] : {}, path);
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldDiff[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...fieldDiffs(before[i], after[i], join(path, i)));
    return out;
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((k) => fieldDiffs(before[k], after[k], join(path, k)));
  }
  return [{ path, before, after }];
}

/** A value as shown in the preview. */
export function show(value: unknown): string {
  if (value === undefined) return '（无）';
  if (typeof value === 'string') return `“${value.replace(/\n/g, '⏎')}”`;
  if (typeof value === 'object' && value !== null && 'status' in value && 'date' in value) {
    const s = value as { date: string; status: StatusId; part?: string; note?: string; source?: { doc: string; locator?: string } };
    return `${s.date} ${statusLabel(s.status)}${s.part ? ` ${s.part}` : ''}${s.note ? ` “${s.note.length > 40 ? `${s.note.slice(0, 40)}…` : s.note}”` : ''}（${s.source?.doc ?? ''}${s.source?.locator ? ` ${s.source.locator}` : ''}）`;
  }
  return JSON.stringify(value);
}

/** Old and new text as one line with the changed characters marked, when they share most of their text. */
export function charDiff(before: string, after: string): string | undefined {
  const parts = diffChars(before, after);
  const same = parts.filter((p) => !p.added && !p.removed).reduce((n, p) => n + p.value.length, 0);
  if (same < Math.max(before.length, after.length) / 2) return undefined;
  return parts
    .map((p) => {
      if (p.added) return `{+${p.value}+}`;
      if (p.removed) return `[-${p.value}-]`;
      // Long unchanged runs are shortened to their ends.
      return p.value.length > 40 ? `${p.value.slice(0, 15)}……${p.value.slice(-15)}` : p.value;
    })
    .join('')
    .replace(/\n/g, '⏎');
}

/** Lines describing one change. */
export function describeChange(change: FileChange): string[] {
  if (change.kind === 'create') return [`+ 新增 ${change.path}  ${change.what}`];
  const lines = [`~ 修改 ${change.path}  ${change.what}`];
  for (const d of fieldDiffs(change.before, change.after)) {
    if (d.before === undefined) {
      lines.push(`    + ${d.path}: ${show(d.after)}`);
    } else if (d.after === undefined) {
      lines.push(`    - ${d.path}: ${show(d.before)}`);
    } else {
      const marked = typeof d.before === 'string' && typeof d.after === 'string' ? charDiff(d.before, d.after) : undefined;
      if (marked) lines.push(`    ~ ${d.path}: ${marked}`);
      else lines.push(`    ~ ${d.path}:`, `        旧 ${show(d.before)}`, `        新 ${show(d.after)}`);
    }
  }
  return lines;
}

/** The whole preview: every change, then a count. */
export function describeChanges(changes: readonly FileChange[]): string[] {
  if (!changes.length) return ['没有变化：内容已与文件一致。'];
  const created = changes.filter((c) => c.kind === 'create').length;
  return [...changes.flatMap(describeChange), `共 ${changes.length} 个文件：新增 ${created} 个，修改 ${changes.length - created} 个。`];
}
