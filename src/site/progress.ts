/**
 * Progress over time for any set of items on a page: the roll-up at every
 * date something about them changed (plan issued, status disclosed, plan
 * amended, a due date passed), each date judged with what was in force then.
 */
import { assessItemAt, type Portal, type PortalItem } from '../content/portal.ts';
import type { ItemAssessment } from '../domain/assess.ts';
import { addDays, startOfPeriod } from '../domain/dates.ts';
import { chartDates, progressAt, timelineEvents, type TimelinePoint } from '../domain/timeline.ts';

/**
 * An item's assessment at each of the sorted dates, computed again only where it can change: a
 * status becoming known (its period's first day), an amendment, the day after a due date. Between
 * those it is the same, so a chart of a country's items costs a few assessments per item rather
 * than one per item and date (which dominated a 50,000-item build).
 */
export function assessmentsAt(p: PortalItem, dates: readonly string[], asOf: string): ItemAssessment[] {
  const starts = p.item.statusHistory.map((h) => startOfPeriod(h.date));
  const amended = p.plan.amendments.map((a) => a.date);
  const out: ItemAssessment[] = [];
  let current: ItemAssessment | undefined;
  let until = '';
  for (const d of dates) {
    const at = d < asOf ? d : asOf;
    if (!current || at >= until) {
      current = assessItemAt(p, at, asOf);
      // "Due date passed" is due < at, i.e. from the day after.
      const dues = [current.due.original, current.due.current].filter((x): x is string => x !== undefined).map((x) => addDays(x, 1));
      until = [...starts, ...amended, ...dues].filter((x) => x > at).reduce((a, b) => (b < a ? b : a), '9999-12-31');
    }
    out.push(current);
  }
  return out;
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
  // The item facts with both the original and every amended deadline, so each due date's passing is an event.
  const facts = items.map((i) => ({
    statusHistory: i.item.statusHistory,
    parts: i.item.parts.map((pt, k) => ({ originalDeadline: pt.deadline, currentDeadline: i.parts[k]!.deadline })),
  }));
  const events = timelineEvents(facts, portal.asOf, extra);
  // Nothing is shown before the earliest known start (the first plan issued or the first status), when known.
  const starts = [...events.entries()].filter(([, labels]) => labels.includes('方案印发') || labels.includes('公开状态')).map(([d]) => d).sort();
  if (starts[0]) for (const d of [...events.keys()]) if (d < starts[0]) events.delete(d);
  const { dates } = chartDates(events, portal.asOf);
  const column = new Map(dates.map((d, k) => [d, k]));
  const table = items.map((i) => assessmentsAt(i, dates, portal.asOf));
  return progressAt(events, portal.asOf, (date) => {
    const k = column.get(date);
    return k === undefined ? items.map((i) => assessItemAt(i, date, portal.asOf)) : table.map((row) => row[k]!);
  });
}

/** Whether a timeline is worth a chart: at least two dates and something that changed between them. */
export function hasHistory(points: readonly TimelinePoint[]): boolean {
  if (points.length < 2) return false;
  const key = (p: TimelinePoint) => [p.rollup.done, p.rollup.disclosed, p.rollup.overdue.current, p.rollup.overdue.original].join(',');
  return new Set(points.map(key)).size > 1 || points.some((p) => p.rollup.disclosed > 0);
}
