/**
 * Ratios and roll-ups. Every figure the portal publishes is computed here from
 * item assessments, so the dashboard, the CSV and the methodology page agree.
 *
 * Published rules (see the methodology page):
 * - 完成率 = items whose status counts as done ÷ all items. Items with no
 *   disclosed progress stay in the denominator as not done.
 * - 按期完成率 = items done on or before their due date ÷ items whose due
 *   date has passed. Items without a due date are left out, each counted
 *   under its own reason (`byDeadline`): 无期限 (长期坚持, 立行立改),
 *   时限另定 (to be set later), 时限未公开 (no source gives a deadline).
 *   A deadline no source gives is never counted as 无期限.
 *   Computed on both clocks: the original deadline and the amended one.
 * - 公开率 = items with at least one disclosed status ÷ all items.
 * - An item counts once, whatever its number of parts; it is done only when
 *   every part is done.
 */
import type { ItemAssessment } from './assess.ts';
import { DEADLINE_CATEGORIES, type DeadlineCategory } from './deadline.ts';
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
  /** Items with no due date on the current clock, whatever the reason; see byDeadline for the reasons. */
  undated: number;
  /** Items by deadline category on the current clock (dated, 无期限, 时限另定, 时限未公开). */
  byDeadline: Record<DeadlineCategory, number>;
  /** Dated items whose current due date has not passed yet. */
  notYetDue: number;
  /** Items whose current due date has passed and that have no disclosed status at all. */
  dueUndisclosed: number;
  /** Done items by the evidence tier of the status they rest on. */
  doneByEvidence: Record<string, number>;
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
  let dueUndisclosed = 0;
  let notYetDue = 0;
  const byDeadline = Object.fromEntries(DEADLINE_CATEGORIES.map((c) => [c.id, 0])) as Record<DeadlineCategory, number>;
  const doneByEvidence: Record<string, number> = {};
  let onTimeOriginal = 0;
  let onTimeCurrent = 0;
  for (const a of assessments) {
    byStatus[a.status] += 1;
    if (a.done) {
      done += 1;
      const tier = a.statusEvidence ?? 'unknown';
      doneByEvidence[tier] = (doneByEvidence[tier] ?? 0) + 1;
    }
    if (a.disclosed) disclosed += 1;
    if (a.undated) undated += 1;
    byDeadline[a.deadlineCategory.current] += 1;
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
      if (!a.disclosed) dueUndisclosed += 1;
    } else if (!a.undated) {
      notYetDue += 1;
    }
  }
  const n = assessments.length;
  return {
    items: n,
    done,
    disclosed,
    undated,
    byDeadline,
    notYetDue,
    dueUndisclosed,
    doneByEvidence,
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
