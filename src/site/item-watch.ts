/**
 * What the staff escalation view needs of each rectification item (functions/escalation.ts), from
 * the read model: its due date on the current clock, whether its disclosed status counts as done,
 * and when a status was last disclosed. One fact per item and responsible unit, so that a unit's
 * items are one index range once copied into the database (`item_watch`, by each index run).
 *
 * The rules are the published ones: overdue is src/domain/assess.ts (`due.current` passed, not
 * done), done is src/domain/status.ts. Silence counts from the last day of the latest disclosed
 * status entry, or, where none was ever disclosed, from the plan's date.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { endOfPeriod, startOfPeriod } from '../domain/dates.ts';

export interface ItemWatchFact {
  itemId: string;
  /** '' when no source names a responsible unit. */
  unit: string;
  name: string;
  title: string;
  due: string | null;
  done: boolean;
  status: string;
  statusDate: string | null;
  silentSince: string;
}

/** Used when neither a status entry nor the plan or its source is dated: sorts first (silent longest). */
const UNDATED = '0000-01-01';

/** The latest disclosed status entry's date as given, up to the as-of date. */
function lastStatusDate(p: PortalItem, asOf: string): string | undefined {
  let last: string | undefined;
  for (const e of p.item.statusHistory) {
    if (startOfPeriod(e.date) > asOf) continue;
    if (!last || endOfPeriod(e.date) > endOfPeriod(last)) last = e.date;
  }
  return last;
}

export function itemWatchFacts(portal: Portal): ItemWatchFact[] {
  return portal.items.flatMap((p) => {
    const a = p.assessment;
    const statusDate = lastStatusDate(p, portal.asOf);
    const planDate = p.plan.issued ?? portal.source(p.item.source.doc)?.issued ?? portal.source(p.item.source.doc)?.published;
    const since = statusDate ?? planDate;
    const base = {
      itemId: p.item.id,
      name: `${p.plan.title} ${p.numberLabel}`,
      title: p.title,
      due: a.due.current ?? null,
      done: a.done,
      status: a.status,
      statusDate: statusDate ?? null,
      silentSince: since ? endOfPeriod(since) : UNDATED,
    };
    const units = p.responsibleUnits.length ? p.responsibleUnits : [''];
    return units.map((unit) => ({ ...base, unit }));
  });
}
