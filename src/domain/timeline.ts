/**
 * Progress over time: the roll-up of a set of items as of each date on which
 * any of them had a status disclosed, ending with the as-of date.
 */
import { assessItem, type ItemFacts } from './assess.ts';
import { endOfPeriod } from './dates.ts';
import { rollup, type Rollup } from './ratios.ts';

export interface TimelinePoint {
  date: string;
  rollup: Rollup;
}

export function progressOverTime(items: readonly ItemFacts[], asOf: string): TimelinePoint[] {
  const dates = [...new Set(items.flatMap((i) => i.statusHistory.map((h) => endOfPeriod(h.date))))]
    .filter((d) => d <= asOf)
    .sort();
  if (dates.length === 0) return [];
  if (dates.at(-1) !== asOf) dates.push(asOf);
  return dates.map((date) => ({ date, rollup: rollup(items.map((i) => assessItem(i, date))) }));
}
