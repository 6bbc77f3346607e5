/**
 * The two clocks of an item's deadline — as first published (原定) and after
 * amendments (现行) — described for reading, so tables can show both side by
 * side wherever an amendment changed them.
 */
import type { ItemAssessment } from '../domain/assess.ts';
import { describeDeadlineZh, type DeadlineCategory } from '../domain/deadline.ts';
import { formatDateZh } from '../domain/dates.ts';

export interface Clocks {
  /** The deadline on the current clock, e.g. 2021年6月30日前. */
  current: string;
  /** The deadline as first published. */
  original: string;
  /** Whether an amendment changed the deadline (the two readings differ). */
  differs: boolean;
  /** Due dates on both clocks in the Chinese form, where dated. */
  due: { current?: string | undefined; original?: string | undefined };
  category: DeadlineCategory;
}

const join = (texts: string[]) => [...new Set(texts)].join('；');

export function clocksOf(a: ItemAssessment): Clocks {
  const current = join(a.parts.map((p) => describeDeadlineZh(p.deadline.current)));
  const original = join(a.parts.map((p) => describeDeadlineZh(p.deadline.original)));
  return {
    current,
    original,
    differs: current !== original || a.due.current !== a.due.original,
    due: {
      current: a.due.current ? formatDateZh(a.due.current) : undefined,
      original: a.due.original ? formatDateZh(a.due.original) : undefined,
    },
    category: a.deadlineCategory.current,
  };
}
