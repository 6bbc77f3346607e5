/**
 * Item assessment: from an item's status history and deadlines, as of a date,
 * work out its status, whether it is done, overdue (on two clocks) and done on
 * time. The rules here are the ones the methodology page publishes; change
 * them there too.
 */
import { combinedDeadlineCategory, deadlineCategory, dueDate, parseDeadline, type DeadlineCategory, type ParsedDeadline } from './deadline.ts';
import { endOfPeriod, startOfPeriod } from './dates.ts';
import { isDone, statusRank, type DisplayStatusId, type StatusId } from './status.ts';

/** What the assessment needs to know about an item; plain data, no content types. */
export interface ItemFacts {
  statusHistory: readonly { date: string; status: StatusId; part?: string | undefined; evidence?: string | undefined }[];
  parts: readonly {
    label?: string | undefined;
    /** Deadline text as first published. */
    originalDeadline?: string | undefined;
    /** Deadline text after amendments (same as original when never amended). */
    currentDeadline?: string | undefined;
  }[];
}

/** The two clocks an item is judged on. */
export type Clock = 'original' | 'current';

export interface PartAssessment {
  label?: string | undefined;
  status: DisplayStatusId;
  statusDate?: string | undefined;
  /** Index in the item's statusHistory of the entry the part's status rests on. */
  statusIndex?: number | undefined;
  deadline: Record<Clock, ParsedDeadline | undefined>;
  deadlineCategory: Record<Clock, DeadlineCategory>;
}

export interface ItemAssessment {
  status: DisplayStatusId;
  /** Date of the status entry the item's status rests on. */
  statusDate?: string | undefined;
  /** Index in statusHistory of that entry, and its evidence tier. */
  statusIndex?: number | undefined;
  statusEvidence?: string | undefined;
  parts: PartAssessment[];
  disclosed: boolean;
  done: boolean;
  /** When the item became done (all parts), widened to the period's last day. */
  doneOn?: string | undefined;
  /** The item's due date on each clock: the latest due date of its parts. */
  due: Record<Clock, string | undefined>;
  /** Deadline has passed and the item was not done by the as-of date. */
  overdue: Record<Clock, boolean>;
  /** Overdue on the current clock and no status disclosed at all: 逾期未报. */
  overdueUnreported: boolean;
  /** Only for items whose due date has passed: done by the due date? */
  onTime: Record<Clock, boolean | undefined>;
  /**
   * Items with no due date on the current clock, for any reason: 无期限
   * (长期坚持, 立行立改), 时限另定, or 时限未公开. `deadlineCategory` says which;
   * pages and figures never show these as one category.
   */
  undated: boolean;
  /** Why the item has (or has no) due date, on each clock. */
  deadlineCategory: Record<Clock, DeadlineCategory>;
}

interface Entry {
  date: string;
  status: StatusId;
  part?: string | undefined;
  evidence?: string | undefined;
  order: number;
}

/** Entries for one part: its own and the whole item's, oldest first; a part's own entry wins a tie. */
function entriesForPart(entries: Entry[], label: string | undefined): Entry[] {
  return entries
    .filter((e) => e.part === undefined || e.part === label)
    .sort(
      (a, b) =>
        endOfPeriod(a.date).localeCompare(endOfPeriod(b.date)) ||
        Number(a.part !== undefined) - Number(b.part !== undefined) ||
        a.order - b.order,
    );
}

/** The date a run of done statuses began, for a part whose latest status is done. */
function doneSince(history: Entry[]): string | undefined {
  let since: string | undefined;
  for (const e of history) {
    if (isDone(e.status)) since ??= e.date;
    else since = undefined;
  }
  return since ? endOfPeriod(since) : undefined;
}

function latestDue(parts: PartAssessment[], clock: Clock): string | undefined {
  let latest: string | undefined;
  for (const p of parts) {
    const d = dueDate(p.deadline[clock]);
    if (d === undefined) return undefined; // one undated part leaves the whole item undated
    if (!latest || d > latest) latest = d;
  }
  return latest;
}

/**
 * Assesses one item as of `asOf` (YYYY-MM-DD). Status entries dated after
 * `asOf` are ignored, so a page built for a date shows what was known then.
 */
export function assessItem(item: ItemFacts, asOf: string): ItemAssessment {
  const entries: Entry[] = item.statusHistory
    .map((e, order) => ({ ...e, order }))
    // A partial date (2017-10) counts as known from the period's first day.
    .filter((e) => startOfPeriod(e.date) <= asOf);

  const parts: PartAssessment[] = [];
  const doneDates: (string | undefined)[] = [];
  for (const part of item.parts) {
    const history = entriesForPart(entries, part.label);
    const last = history.at(-1);
    const deadline = {
      original: part.originalDeadline ? parseDeadline(part.originalDeadline) : undefined,
      current: part.currentDeadline ? parseDeadline(part.currentDeadline) : undefined,
    };
    parts.push({
      label: part.label,
      status: last?.status ?? 'undisclosed',
      statusDate: last?.date,
      statusIndex: last?.order,
      deadline,
      deadlineCategory: { original: deadlineCategory(deadline.original), current: deadlineCategory(deadline.current) },
    });
    doneDates.push(last && isDone(last.status) ? doneSince(history) : undefined);
  }

  // The item is as far along as its least advanced part.
  const weakest = parts.reduce((a, b) => (statusRank(b.status) > statusRank(a.status) ? b : a));
  const status = weakest.status;
  const done = isDone(status);
  const doneOn = done ? doneDates.reduce((a, b) => (a! > b! ? a : b)) : undefined;
  const due = { original: latestDue(parts, 'original'), current: latestDue(parts, 'current') };
  const passed = (d: string | undefined) => d !== undefined && d < asOf;
  const overdue = { original: passed(due.original) && !done, current: passed(due.current) && !done };
  const onTime = {
    original: passed(due.original) ? done && doneOn! <= due.original! : undefined,
    current: passed(due.current) ? done && doneOn! <= due.current! : undefined,
  };
  const disclosed = parts.some((p) => p.status !== 'undisclosed');
  return {
    status,
    statusDate: weakest.statusDate,
    statusIndex: weakest.statusIndex,
    statusEvidence: weakest.statusIndex === undefined ? undefined : item.statusHistory[weakest.statusIndex]?.evidence,
    parts,
    disclosed,
    done,
    doneOn,
    due,
    overdue,
    overdueUnreported: overdue.current && !disclosed,
    onTime,
    undated: due.current === undefined,
    deadlineCategory: {
      original: combinedDeadlineCategory(parts.map((p) => p.deadline.original)),
      current: combinedDeadlineCategory(parts.map((p) => p.deadline.current)),
    },
  };
}
