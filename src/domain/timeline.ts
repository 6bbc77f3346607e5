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

/** What a progress chart shows of a roll-up (additive: the counts of a set are the sums of its parts'). */
export interface ProgressCounts {
  items: number;
  done: number;
  disclosed: number;
  overdue: { original: number; current: number };
  overdueUnreported: number;
}

export const progressCounts = (r: Rollup): ProgressCounts => ({
  items: r.items,
  done: r.done,
  disclosed: r.disclosed,
  overdue: { original: r.overdue.original, current: r.overdue.current },
  overdueUnreported: r.overdueUnreported,
});

/** The counts of several sets of items together. */
export function addCounts(parts: readonly ProgressCounts[]): ProgressCounts {
  const sum: ProgressCounts = { items: 0, done: 0, disclosed: 0, overdue: { original: 0, current: 0 }, overdueUnreported: 0 };
  for (const c of parts) {
    sum.items += c.items;
    sum.done += c.done;
    sum.disclosed += c.disclosed;
    sum.overdue.original += c.overdue.original;
    sum.overdue.current += c.overdue.current;
    sum.overdueUnreported += c.overdueUnreported;
  }
  return sum;
}

export interface TimelinePoint {
  date: string;
  rollup: ProgressCounts;
  /** What happened on that date, in words (for the table under the chart). */
  events: string[];
}

/** Dated events of a set of items: status disclosures and the day each due date passes (both clocks). */
export function timelineEvents(items: readonly ItemFacts[], asOf: string, extra: readonly { date: string; label: string }[] = []): Map<string, string[]> {
  const events: [string, string[]][] = [];
  for (const i of items) {
    for (const h of i.statusHistory) events.push([endOfPeriod(h.date), ['公开状态']]);
    for (const p of i.parts) {
      for (const text of [p.originalDeadline, p.currentDeadline]) {
        const due = text ? dueDate(parseDeadline(text)) : undefined;
        if (due) events.push([addDays(due, 1), ['前一日有任务到期']]);
      }
    }
  }
  return joinEvents([events], asOf, extra);
}

/**
 * The events of consecutive runs of items (each given as timelineEvents(run, asOf) without extras),
 * then `extra`: the same map, dates and labels in the same order, as timelineEvents of all the
 * items at once — so a run's events can be computed once and kept (src/site/plan-progress.ts).
 */
export function joinEvents(runs: Iterable<Iterable<readonly [string, readonly string[]]>>, asOf: string, extra: readonly { date: string; label: string }[] = []): Map<string, string[]> {
  const events = new Map<string, Set<string>>();
  const add = (date: string, labels: Iterable<string>) => {
    if (date > asOf) return;
    let set = events.get(date);
    if (!set) events.set(date, (set = new Set()));
    for (const l of labels) set.add(l);
  };
  for (const run of runs) for (const [date, labels] of run) add(date, labels);
  for (const e of extra) add(e.date, [e.label]);
  return new Map([...events].map(([d, s]) => [d, [...s]]));
}

/** Points a chart shows at most; beyond, dates are gathered by month, then by quarter. */
export const MAX_POINTS = 60;

/**
 * Events gathered into periods when there are more than MAX_POINTS dates (a country's items
 * change on most days: thousands of points would be a table of thousands of rows, each assessing
 * every item). A period's point is its last day (or the as-of date), with what happened in it.
 */
export function coarsen(events: Map<string, string[]>, asOf: string, max = MAX_POINTS): Map<string, string[]> {
  if (events.size <= max) return events;
  const periodEnd = (date: string, months: number) => {
    const [y, m] = date.split('-').map(Number) as [number, number];
    const endMonth = Math.ceil(m / months) * months;
    const last = new Date(Date.UTC(y, endMonth, 0)).toISOString().slice(0, 10);
    return last > asOf ? asOf : last;
  };
  const inPeriod: Record<string, string> = { 前一日有任务到期: '期间有任务到期' };
  let out = events;
  for (const months of [1, 3, 12]) {
    out = new Map();
    for (const [date, labels] of events) {
      const end = periodEnd(date, months);
      out.set(end, [...new Set([...(out.get(end) ?? []), ...labels.map((l) => inPeriod[l] ?? l)])]);
    }
    if (out.size <= max) break;
  }
  return out;
}

/** Roll-ups at the given dates (sorted), each assessed by `assessAt`, ending with the as-of date. */
export function progressAt(all: Map<string, string[]>, asOf: string, assessAt: (date: string) => readonly ItemAssessment[]): TimelinePoint[] {
  return progressFrom(all, asOf, (date) => progressCounts(rollup(assessAt(date))));
}

/** progressAt with the counts at each date given (summed from parts, src/site/progress.ts). */
export function progressFrom(all: Map<string, string[]>, asOf: string, countsAt: (date: string) => ProgressCounts): TimelinePoint[] {
  const { events, dates } = chartDates(all, asOf);
  return dates.map((date) => ({ date, rollup: countsAt(date), events: events.get(date) ?? ['统计日期'] }));
}

/** The dates progressAt assesses (sorted, ending with the as-of date), and their events. */
export function chartDates(all: Map<string, string[]>, asOf: string): { events: Map<string, string[]>; dates: string[] } {
  const events = coarsen(all, asOf);
  const dates = [...events.keys()].filter((d) => d <= asOf).sort();
  if (dates.length > 0 && dates.at(-1) !== asOf) dates.push(asOf);
  return { events, dates };
}

/** Progress over time from status disclosures alone, each item judged on the deadlines it has now. */
export function progressOverTime(items: readonly ItemFacts[], asOf: string): TimelinePoint[] {
  const events = new Map<string, string[]>();
  for (const i of items) for (const h of i.statusHistory) if (endOfPeriod(h.date) <= asOf) events.set(endOfPeriod(h.date), ['公开状态']);
  return progressAt(events, asOf, (date) => items.map((i) => assessItem(i, date)));
}
