/** The items' facts the staff escalation view reads (src/site/item-watch.ts), against the read model of the real content. */
import { describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { endOfPeriod } from '../../src/domain/dates.ts';
import { itemWatchFacts } from '../../src/site/item-watch.ts';

const portal = getPortal();
const facts = itemWatchFacts(portal);

describe('itemWatchFacts', () => {
  it('gives one fact per item and responsible unit', () => {
    for (const p of portal.items) {
      const units = facts.filter((f) => f.itemId === p.item.id).map((f) => f.unit);
      expect(units).toEqual(p.responsibleUnits.length ? p.responsibleUnits : ['']);
    }
    expect(portal.items.some((p) => p.responsibleUnits.length > 1)).toBe(true);
  });

  it('carries the published assessment: the current clock’s due date and whether the item is done', () => {
    for (const f of facts) {
      const a = portal.item(f.itemId)!.assessment;
      expect(f.due).toBe(a.due.current ?? null);
      expect(f.done).toBe(a.done);
      expect(f.status).toBe(a.status);
      // Overdue in the view is the assessment's overdue (as of the same date).
      expect(!f.done && !!f.due && f.due < portal.asOf).toBe(a.overdue.current);
    }
  });

  it('counts silence from the last day of the latest disclosed status entry, else from the plan’s date', () => {
    for (const f of facts) {
      const p = portal.item(f.itemId)!;
      const entries = p.item.statusHistory.map((e) => endOfPeriod(e.date));
      if (entries.length) {
        expect(f.silentSince).toBe(entries.sort().at(-1));
        expect(f.statusDate).not.toBeNull();
      } else {
        expect(f.statusDate).toBeNull();
        expect(f.silentSince).toBe(endOfPeriod(p.plan.issued ?? portal.source(p.item.source.doc)?.issued ?? portal.source(p.item.source.doc)?.published ?? '0000-01-01'));
      }
    }
  });
});
