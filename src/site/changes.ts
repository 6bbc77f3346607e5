/**
 * The dated changes the portal publishes: status entries and amendments, newest
 * first. Used by the dashboard's "latest changes" and the Atom feed.
 */
import type { Portal } from '../content/portal.ts';
import { statusLabel } from '../domain/status.ts';
import { FIELD_LABELS } from '../model/labels.ts';
import { urls } from './urls.ts';

export interface Change {
  /** Stable id for the feed entry. */
  id: string;
  date: string;
  title: string;
  summary: string;
  href: string;
}

export function listChanges(portal: Portal): Change[] {
  const changes: Change[] = [];
  for (const p of portal.items) {
    p.item.statusHistory.forEach((h, k) => {
      if (h.date > portal.asOf) return;
      changes.push({
        id: `status:${p.item.id}:${k}`,
        date: h.date,
        title: `${p.plan.title} ${p.numberLabel}：${statusLabel(h.status)}`,
        summary: h.note ?? `${p.title}——${statusLabel(h.status)}`,
        href: urls.item(p.item.id),
      });
    });
    p.revisions.forEach((r, k) =>
      changes.push({
        id: `amendment:${r.amendmentId}:${p.item.id}:${k}`,
        date: r.date,
        title: `${p.plan.title} ${p.numberLabel}：修改${FIELD_LABELS[r.field]}`,
        summary: r.after,
        href: urls.item(p.item.id),
      }),
    );
  }
  return changes.sort((a, b) => b.date.localeCompare(a.date) || a.id.localeCompare(b.id));
}
