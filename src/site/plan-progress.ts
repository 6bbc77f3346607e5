/**
 * Progress over time in parts that can be added up: for a run of items of one plan, its dated
 * events and, as a step function, its counts (done, disclosed, overdue, …) from each date on which
 * any of them can change. A chart of any set of items (src/site/progress.ts) joins the events of its
 * runs and sums their counts at the chart's dates — the same figures as assessing every item at every
 * date (tests/unit/plan-progress.test.ts), at a few assessments per item.
 *
 * A whole plan's run is kept on disk between builds (src/site/plan-cache.ts): on a one-item change
 * only that item's plan is assessed again, and the dashboard and the country's and provinces' pages
 * sum about a thousand runs instead of assessing 50,000 items at 60 dates.
 */
import { assessItemAt, type Portal, type PortalItem } from '../content/portal.ts';
import type { ItemAssessment } from '../domain/assess.ts';
import { addDays, startOfPeriod } from '../domain/dates.ts';
import { timelineEvents, type ProgressCounts } from '../domain/timeline.ts';
import { keptPerPlan } from './plan-cache.ts';

/** Earlier than any date a chart shows: the first step of every run. */
const FIRST = '0000-01-01';

export interface RunProgress {
  /** timelineEvents of the run's items without extras, in its order (joinEvents keeps it). */
  events: [string, string[]][];
  /** Dates from which the counts hold, ascending; the first is FIRST, none after the as-of date. */
  from: string[];
  /** counts[k], from from[k]: items, done, disclosed, overdue (original), overdue (current), overdue unreported. */
  counts: number[][];
}

const vector = (a: ItemAssessment): number[] => [1, +a.done, +a.disclosed, +a.overdue.original, +a.overdue.current, +a.overdueUnreported];

/**
 * An item's assessment from each date on which it can change: a status becoming known (its
 * period's first day), an amendment, the day after a due date (on either clock); from the as-of
 * date on, the assessment as of that date.
 */
export function itemSteps(p: PortalItem, asOf: string): { from: string[]; assessments: ItemAssessment[] } {
  const starts = p.item.statusHistory.map((h) => startOfPeriod(h.date));
  const amended = p.plan.amendments.map((a) => a.date);
  const from: string[] = [];
  const assessments: ItemAssessment[] = [];
  let at = FIRST;
  for (;;) {
    const a = assessItemAt(p, at, asOf);
    from.push(at);
    assessments.push(a);
    if (at >= asOf) break;
    const dues = [a.due.original, a.due.current].filter((x): x is string => x !== undefined).map((x) => addDays(x, 1));
    const until = [...starts, ...amended, ...dues].filter((x) => x > at).reduce((m, x) => (x < m ? x : m), asOf);
    at = until;
  }
  return { from, assessments };
}

/** The last of ascending `from` on or before `date` (or the as-of date, if earlier); `from[0]` is FIRST. */
export function stepAt(from: readonly string[], date: string, asOf: string): number {
  const at = date < asOf ? date : asOf;
  let lo = 0;
  let hi = from.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (from[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The events and summed steps of consecutive items of one plan (computed, not kept). */
export function runProgress(items: readonly PortalItem[], asOf: string): RunProgress {
  const facts = items.map((i) => ({
    statusHistory: i.item.statusHistory,
    parts: i.item.parts.map((pt, k) => ({ originalDeadline: pt.deadline, currentDeadline: i.parts[k]!.deadline })),
  }));
  const events = [...timelineEvents(facts, asOf)];
  const steps = items.map((i) => {
    const s = itemSteps(i, asOf);
    return { from: s.from, counts: s.assessments.map(vector) };
  });
  const from = [...new Set(steps.flatMap((s) => s.from))].sort();
  const at = steps.map(() => 0);
  const counts = from.map((date) => {
    const sum = [0, 0, 0, 0, 0, 0];
    steps.forEach((s, k) => {
      while (at[k]! + 1 < s.from.length && s.from[at[k]! + 1]! <= date) at[k]! += 1;
      const v = s.counts[at[k]!]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += v[j]!;
    });
    return sum;
  });
  return { events, from, counts };
}

/** A run's counts as of `date` (the as-of date's from then on). */
export const runCountsAt = (run: RunProgress, date: string, asOf: string): number[] => run.counts[stepAt(run.from, date, asOf)]!;

export const countsOf = (v: readonly number[]): ProgressCounts => ({
  items: v[0]!,
  done: v[1]!,
  disclosed: v[2]!,
  overdue: { original: v[3]!, current: v[4]! },
  overdueUnreported: v[5]!,
});

/** How many runs the last planRuns() computed and took from the kept file (for tests). */
export const planRunStats = { computed: 0, kept: 0 };

/** Every plan's run (its items, in order), once per process; kept between builds (src/site/plan-cache.ts). */
export function planRuns(portal: Portal): Map<string, RunProgress> {
  const { values, computed } = keptPerPlan(portal, 'progress', (items) => runProgress(items, portal.asOf));
  planRunStats.computed = computed;
  planRunStats.kept = values.size - computed;
  return values;
}
