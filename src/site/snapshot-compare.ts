/**
 * "What changed between two snapshots", for ANY two of them, answered from one small file the
 * build writes (/data/snapshots/history.json) rather than from the snapshots' own files.
 *
 * Why a precomputed history and not the two snapshots read on demand: a snapshot's items.json and
 * parts.json grow with the number of items (tens of MB at 50,000 items), so reading and parsing
 * two of them per request costs a Worker far more memory and CPU than it has. The history holds,
 * per item, one entry each time its status, deadline or text changed from one snapshot to the
 * next (a status verbatim, the deadline and text as short fingerprints): it grows with the number
 * of changes, not with snapshots × items — an item that never changes is one entry however many
 * snapshots there are. Comparing two dates is then "the item's entry in force at each date",
 * which gives exactly what diffSnapshots gives for the two snapshots (a value changed and changed
 * back is no change), as the unit test checks over every pair.
 *
 * Framework- and Node-free: the on-demand page (src/pages/changes/index.astro) runs it in Node
 * and on Workers; the build side (historyOf) is in src/site/snapshots.ts.
 */
import { formatDateZh } from '../domain/dates.ts';
import { csvDownload } from './csv.ts';
import { urls } from './urls.ts';

export const HISTORY_FORMAT = 'ducha-snapshot-history/1';
/** Where the build writes the history (src/pages/data/snapshots/history.json.ts). */
export const HISTORY_PATH = '/data/snapshots/history.json';

/**
 * One item's versions, oldest first: `[k, status, deadline, text]` from the k-th snapshot on,
 * or `[k]` when the item is absent from the k-th snapshot on.
 */
export type Version = [number, string, string, string] | [number];

export interface SnapshotHistory {
  format: typeof HISTORY_FORMAT;
  /** Snapshot dates, oldest first (the index k of a version). */
  dates: string[];
  /** Names of the plans items belong to, once each (an item names its plan by index here). */
  plans: string[];
  /** By item id: its plan (index into `plans`), its number (第12项) and its versions. */
  items: Record<string, { p: number; n: string; v: Version[] }>;
}

export interface StatusChange {
  id: string;
  label: string;
  before: string;
  after: string;
}

export interface Comparison {
  from: string;
  to: string;
  status: StatusChange[];
  deadline: { id: string; label: string }[];
  text: { id: string; label: string }[];
  added: { id: string; label: string }[];
  removed: { id: string; label: string }[];
}

/** The version in force at snapshot k (undefined: the item did not exist yet, or was removed). */
function versionAt(versions: readonly Version[], k: number): [number, string, string, string] | undefined {
  let found: Version | undefined;
  for (const v of versions) {
    if (v[0] > k) break;
    found = v;
  }
  return found && found.length === 4 ? found : undefined;
}

/** A status as stored (`["已完成","2021-01-10"]`) in words: 已完成（2021年1月10日）. */
export function statusWords(stored: string): string {
  const [status, date] = JSON.parse(stored) as [string | null, string | null];
  return `${status ?? '未公开进展'}${date ? `（${formatDateZh(date)}）` : ''}`;
}

/** What changed between the snapshots dated `from` and `to` (both in the history; from before to). */
export function compareSnapshots(history: SnapshotHistory, from: string, to: string): Comparison {
  const a = history.dates.indexOf(from);
  const b = history.dates.indexOf(to);
  if (a < 0 || b < 0) throw new Error(`没有该日期的快照：${a < 0 ? from : to}`);
  const out: Comparison = { from, to, status: [], deadline: [], text: [], added: [], removed: [] };
  for (const [id, { p, n, v }] of Object.entries(history.items)) {
    const label = `${history.plans[p] ?? ''} ${n}`.trim();
    const [va, vb] = [versionAt(v, a), versionAt(v, b)];
    if (!va && !vb) continue;
    if (!va) out.added.push({ id, label });
    else if (!vb) out.removed.push({ id, label });
    else {
      if (va[1] !== vb[1]) out.status.push({ id, label, before: statusWords(va[1]), after: statusWords(vb[1]) });
      if (va[2] !== vb[2]) out.deadline.push({ id, label });
      if (va[3] !== vb[3]) out.text.push({ id, label });
    }
  }
  return out;
}

/**
 * Rows the comparison page prints per kind of change: between two distant snapshots of a national
 * portal tens of thousands of items can differ, and the page must stay small (issue 13: ≤ 500 KB).
 * The whole list is the page's CSV (comparisonCsv).
 */
export const SHOWN_PER_KIND = 200;

/** Where the whole comparison is downloaded as CSV (src/pages/changes/changes.csv.ts). */
export const comparisonCsvHref = (from: string, to: string) => `/changes/changes.csv?from=${from}&to=${to}`;

/** Every change of a comparison, a row each (an item whose status and deadline both changed is two rows). */
export function comparisonCsv(result: Comparison): string {
  const row = (kind: string, r: { id: string; label: string }, before = '', after = '') => ({ kind, id: r.id, label: r.label, before, after, url: urls.item(r.id) });
  const rows = [
    ...result.status.map((r) => row('状态变化', r, r.before, r.after)),
    ...result.deadline.map((r) => row('时限变化', r)),
    ...result.text.map((r) => row('文本变化', r)),
    ...result.added.map((r) => row('新增', r)),
    ...result.removed.map((r) => ({ ...row('移除', r), url: '' })),
  ];
  return csvDownload(rows, { header: true, columns: ['kind', 'id', 'label', 'before', 'after', 'url'] });
}

let parsed: { text: string; history: SnapshotHistory } | undefined;
/**
 * The history file parsed, reused while its text is the same: at national scale it is megabytes,
 * and parsing it is most of a comparison's cost. Comparing the text (a memory compare) keeps a
 * newly published history from being answered from the old one.
 */
export function parseHistory(text: string): SnapshotHistory {
  if (parsed?.text !== text) parsed = { text, history: JSON.parse(text) as SnapshotHistory };
  return parsed.history;
}

export const DATE_PARAM = /^\d{4}-\d{2}-\d{2}$/;

/** The form's fields and what was chosen; `errors` by field name, in the order of the form. */
export interface CompareRequest {
  from: string;
  to: string;
  errors: Record<string, string>;
  /** Both dates given and valid: the comparison can be shown. */
  ready: boolean;
}

/**
 * Reads `?from=&to=` against the published dates. Nothing given: the form alone, preset to the
 * last two snapshots. Otherwise each date must be one of the snapshots, the two must differ and
 * `from` must be the earlier (a reversed pair is refused, not silently swapped: the reader should
 * see which way the comparison runs).
 */
export function readCompareRequest(params: URLSearchParams, dates: readonly string[]): CompareRequest {
  const given = (name: string) => (params.get(name) ?? '').trim().slice(0, 40);
  const from = given('from');
  const to = given('to');
  if (!params.has('from') && !params.has('to')) return { from: dates.at(-2) ?? '', to: dates.at(-1) ?? '', errors: {}, ready: false };
  const errors: Record<string, string> = {};
  const check = (name: 'from' | 'to', value: string, what: string) => {
    if (!value) errors[name] = `请选择${what}`;
    else if (!DATE_PARAM.test(value) || !dates.includes(value)) errors[name] = `没有${DATE_PARAM.test(value) ? formatDateZh(value) : '该日期'}的快照：请从列表中选择${what}`;
  };
  check('from', from, '较早的快照');
  check('to', to, '较晚的快照');
  if (!errors.from && !errors.to) {
    if (from === to) errors.to = `两个快照都是${formatDateZh(from)}的：请选择另一个日期的快照`;
    else if (from > to) errors.from = `“较早的快照”选了${formatDateZh(from)}，晚于“较晚的快照”${formatDateZh(to)}：请对调两个日期`;
  }
  return { from, to, errors, ready: Object.keys(errors).length === 0 };
}
