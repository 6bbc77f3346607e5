/**
 * The time dimension of a set of items, as of a date: what falls due soon
 * (近期到期) and what fell due recently without being done (新近逾期), on both
 * clocks. Items with no due date (无期限, 时限另定, 时限未公开) cannot fall due
 * and are counted apart, so a list that is empty says why.
 */
import type { Clock, ItemAssessment } from './assess.ts';
import { addDays, daysBetween } from './dates.ts';

export interface TimeEntry<T> {
  record: T;
  /** The due date the entry is about (the current clock's unless `clock` says otherwise). */
  due: string;
  /** Which clock put the item in the list: current, or original only (an amendment moved it). */
  clock: Clock;
  /** Days from the as-of date to the due date (positive: ahead; negative: past). */
  days: number;
}

export interface TimeLists<T> {
  asOf: string;
  /** Not done, current due date within the next 30 days (after the as-of date, up to and including day 30). */
  dueIn30: TimeEntry<T>[];
  /** Not done, current due date 31 to 90 days ahead. */
  dueIn90: TimeEntry<T>[];
  /**
   * Overdue as of the as-of date, with a due date within the last 30 days:
   * on the current clock, or on the original clock only (the deadline was
   * extended; shown as 超原定时限).
   */
  newlyOverdue: TimeEntry<T>[];
  /** Items no list can hold because they have no due date. */
  undated: number;
}

const byDue = <T>(a: TimeEntry<T>, b: TimeEntry<T>) => a.due.localeCompare(b.due);

export function timeLists<T>(records: readonly T[], assessment: (r: T) => ItemAssessment, asOf: string): TimeLists<T> {
  const dueIn30: TimeEntry<T>[] = [];
  const dueIn90: TimeEntry<T>[] = [];
  const newlyOverdue: TimeEntry<T>[] = [];
  let undated = 0;
  const since = addDays(asOf, -30);
  for (const record of records) {
    const a = assessment(record);
    if (a.undated) undated += 1;
    const current = a.due.current;
    if (current && !a.done && current >= asOf) {
      // Due today or later: not overdue yet (the deadline day itself is in time).
      const days = daysBetween(asOf, current);
      if (days <= 30) dueIn30.push({ record, due: current, clock: 'current', days });
      else if (days <= 90) dueIn90.push({ record, due: current, clock: 'current', days });
    }
    if (a.overdue.current && current && current >= since) {
      newlyOverdue.push({ record, due: current, clock: 'current', days: daysBetween(asOf, current) });
    } else if (a.overdue.original && !a.overdue.current && a.due.original && a.due.original >= since) {
      newlyOverdue.push({ record, due: a.due.original, clock: 'original', days: daysBetween(asOf, a.due.original) });
    }
  }
  return { asOf, dueIn30: dueIn30.sort(byDue), dueIn90: dueIn90.sort(byDue), newlyOverdue: newlyOverdue.sort(byDue), undated };
}
