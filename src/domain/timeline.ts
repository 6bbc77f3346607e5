/**
 * Progress over time: the roll-up of a set of items as of each date on which
 * something about them changed — a status disclosed, an amendment, a due date
 * passing (the day after it, when an item becomes overdue) — ending with the
 * as-of date.
 */
import { assessItem, type ItemAssessment, type ItemFacts } from './assess.ts';
import { addDays, endOfPeriod } from './dates.ts';
import { dueDate, parseDeadline } from './deadline.ts';
import { rollup, type Rollup } from './ratios.ts';

export interface TimelinePoint {
  date: string;
  rollup: Rollup;
  /** What happened on that date, in words (for the table under the chart). */
  events: string[];
}

/** Dated events of a set of items: status disclosures and the day each due date passes (both clocks). */
export function timelineEvents(items: readonly ItemFacts[], asOf: string, extra: readonly { date: string; label: string }[] = []): Map<string, string[]> {
  const events = new Map<string, Set<string>>();
  const add = (date: string, label: string) => {
    if (date > asOf) return;
    const set = events.get(date) ?? new Set<string>();
    set.add(label);
    events.set(date, set);
  };
  for (const i of items) {
    for (const h of i.statusHistory) add(endOfPeriod(h.date), '公开状态');
    for (const p of i.parts) {
      for (const text of [p.originalDeadline, p.currentDeadline]) {
        const due = text ? dueDate(parseDeadline(text)) : undefined;
        if (due) add(addDays(due, 1), '前一日有任务到期');
      }
    }
  }
  for (const e of extra) add(e.date, e.label);
  return new Map([...events].map(([d, s]) => [d, [...s]]));
}

/** Roll-ups at the given dates (sorted), each assessed by `assessAt`, ending with the as-of date. */
export function progressAt(events: Map<string, string[]>, asOf: string, assessAt: (date: string) => readonly ItemAssessment[]): TimelinePoint[] {
  const dates = [...events.keys()].filter((d) => d <= asOf).sort();
  if (dates.length === 0) return [];
  if (dates.at(-1) !== asOf) dates.push(asOf);
  return dates.map((date) => ({ date, rollup: rollup(assessAt(date)), events: events.get(date) ?? ['统计日期'] }));
}

/** Progress over time from status disclosures alone, each item judged on the deadlines it has now. */
export function progressOverTime(items: readonly ItemFacts[], asOf: string): TimelinePoint[] {
  const events = new Map<string, string[]>();
  for (const i of items) for (const h of i.statusHistory) if (endOfPeriod(h.date) <= asOf) events.set(endOfPeriod(h.date), ['公开状态']);
  return progressAt(events, asOf, (date) => items.map((i) => assessItem(i, date)));
}
