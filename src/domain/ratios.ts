/**
 * Ratios and roll-ups. Every figure the portal publishes is computed here from
 * item assessments, so the dashboard, the CSV and the methodology page agree.
 *
 * Published rules (see the methodology page):
 * - 完成率 = items whose status counts as done ÷ all items. Items with no
 *   disclosed progress stay in the denominator as not done.
 * - 按期完成率 = items done on or before their due date ÷ items whose due
 *   date has passed. Undated items (长期坚持, 立行立改, conditional) are left out.
 *   Computed on both clocks: the original deadline and the amended one.
 * - 公开率 = items with at least one disclosed status ÷ all items.
 * - An item counts once, whatever its number of parts; it is done only when
 *   every part is done.
 */
import type { ItemAssessment } from './assess.ts';
import { STATUSES, UNDISCLOSED, type DisplayStatusId } from './status.ts';

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator, or null when the denominator is 0 (shown as “—”). */
  value: number | null;
}

export interface Rollup {
  items: number;
  done: number;
  disclosed: number;
  undated: number;
  overdue: { original: number; current: number };
  overdueUnreported: number;
  dueOriginal: number;
  dueCurrent: number;
  completion: Ratio;
  disclosure: Ratio;
  onTime: { original: Ratio; current: Ratio };
  byStatus: Record<DisplayStatusId, number>;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

/** Rolls up any set of item assessments (a group, plan, inspection, region, unit, topic). */
export function rollup(assessments: readonly ItemAssessment[]): Rollup {
  const byStatus = Object.fromEntries(
    [...STATUSES.map((s) => s.id), UNDISCLOSED.id].map((id) => [id, 0]),
  ) as Record<DisplayStatusId, number>;
  let done = 0;
  let disclosed = 0;
  let undated = 0;
  let overdueOriginal = 0;
  let overdueCurrent = 0;
  let overdueUnreported = 0;
  let dueOriginal = 0;
  let dueCurrent = 0;
  let onTimeOriginal = 0;
  let onTimeCurrent = 0;
  for (const a of assessments) {
    byStatus[a.status] += 1;
    if (a.done) done += 1;
    if (a.disclosed) disclosed += 1;
    if (a.undated) undated += 1;
    if (a.overdue.original) overdueOriginal += 1;
    if (a.overdue.current) overdueCurrent += 1;
    if (a.overdueUnreported) overdueUnreported += 1;
    if (a.onTime.original !== undefined) {
      dueOriginal += 1;
      if (a.onTime.original) onTimeOriginal += 1;
    }
    if (a.onTime.current !== undefined) {
      dueCurrent += 1;
      if (a.onTime.current) onTimeCurrent += 1;
    }
  }
  const n = assessments.length;
  return {
    items: n,
    done,
    disclosed,
    undated,
    overdue: { original: overdueOriginal, current: overdueCurrent },
    overdueUnreported,
    dueOriginal,
    dueCurrent,
    completion: ratio(done, n),
    disclosure: ratio(disclosed, n),
    onTime: { original: ratio(onTimeOriginal, dueOriginal), current: ratio(onTimeCurrent, dueCurrent) },
    byStatus,
  };
}

/** Groups assessments by a key function (an item may fall under several keys) and rolls each group up. */
export function rollupBy<T>(
  records: readonly T[],
  keys: (record: T) => readonly string[],
  assessment: (record: T) => ItemAssessment,
): Map<string, Rollup> {
  const groups = new Map<string, ItemAssessment[]>();
  for (const r of records) {
    for (const k of new Set(keys(r))) {
      const list = groups.get(k) ?? [];
      list.push(assessment(r));
      groups.set(k, list);
    }
  }
  return new Map([...groups].map(([k, list]) => [k, rollup(list)]));
}

/** A ratio as Chinese-style percentage text: 79%, 33.3%, or — when undefined. */
export function formatRatio(r: Ratio): string {
  if (r.value === null) return '—';
  const pct = Math.round(r.value * 1000) / 10;
  return `${pct}%`;
}
