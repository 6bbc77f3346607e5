/**
 * Progress over time for any set of items on a page: the roll-up at every
 * date something about them changed (plan issued, status disclosed, plan
 * amended, a due date passed), each date judged with what was in force then.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { joinEvents, progressFrom, type TimelinePoint } from '../domain/timeline.ts';
import { planRunsOf } from './plan-cache.ts';
import { countsOf, planRuns, runCountsAt, runProgress, type RunProgress } from './plan-progress.ts';

/**
 * The items' runs of one plan each: a run that is a whole plan (the dashboard's, the country's and a
 * province's lists are made of them) is the one kept between builds, any other is computed.
 */
function runsOf(portal: Portal, items: readonly PortalItem[]): RunProgress[] {
  return planRunsOf(portal, items).map((r) => (r.whole ? planRuns(portal).get(r.planId)! : runProgress(r.items, portal.asOf)));
}

export function progressOf(portal: Portal, items: readonly PortalItem[]): TimelinePoint[] {
  if (items.length === 0) return [];
  const ids = new Set(items.map((i) => i.item.id));
  const plans = [...new Map(items.map((i) => [i.plan.id, i.plan])).values()];
  const extra: { date: string; label: string }[] = [];
  for (const plan of plans) {
    if (plan.issued && /^\d{4}-\d{2}-\d{2}$/.test(plan.issued)) extra.push({ date: plan.issued, label: '方案印发' });
    for (const a of plan.amendments) if (a.changes.some((c) => ids.has(c.item))) extra.push({ date: a.date, label: '方案修改' });
  }
  const runs = runsOf(portal, items);
  // Each due date's passing (on both clocks) and each disclosure is an event; then the plans' own.
  const events = joinEvents(runs.map((r) => r.events), portal.asOf, extra);
  // Nothing is shown before the earliest known start (the first plan issued or the first status), when known.
  const starts = [...events.entries()].filter(([, labels]) => labels.includes('方案印发') || labels.includes('公开状态')).map(([d]) => d).sort();
  if (starts[0]) for (const d of [...events.keys()]) if (d < starts[0]) events.delete(d);
  return progressFrom(events, portal.asOf, (date) => {
    const sum = [0, 0, 0, 0, 0, 0];
    for (const r of runs) {
      const v = runCountsAt(r, date, portal.asOf);
      for (let j = 0; j < sum.length; j++) sum[j]! += v[j]!;
    }
    return countsOf(sum);
  });
}

/** Whether a timeline is worth a chart: at least two dates and something that changed between them. */
export function hasHistory(points: readonly TimelinePoint[]): boolean {
  if (points.length < 2) return false;
  const key = (p: TimelinePoint) => [p.rollup.done, p.rollup.disclosed, p.rollup.overdue.current, p.rollup.overdue.original].join(',');
  return new Set(points.map(key)).size > 1 || points.some((p) => p.rollup.disclosed > 0);
}
