/**
 * The dated events the portal publishes, newest first: status entries,
 * amendments, deadlines passing without disclosed completion (on both
 * clocks), sign-off notice windows, new cases and reporting rounds. Used by
 * the dashboard's "latest changes" and every Atom feed; each event names the
 * items, plans, units and regions it concerns, so a page's feed is the
 * events in its scope.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { addDays, formatDateZh, startOfPeriod } from '../domain/dates.ts';
import { statusLabel } from '../domain/status.ts';
import { FIELD_LABELS, OUTCOME_LABELS } from '../model/labels.ts';
import { urls } from './urls.ts';

export type ChangeKind = 'status' | 'amendment' | 'deadline' | 'sign-off' | 'case' | 'reporting';

export const CHANGE_KIND_LABELS: Record<ChangeKind, string> = {
  status: '状态变化',
  amendment: '方案修改',
  deadline: '到期未公开完成',
  'sign-off': '验收销号公示',
  case: '典型案例',
  reporting: '上报情况',
};

export interface ChangeScope {
  items: string[];
  plans: string[];
  units: string[];
  regions: string[];
}

export interface Change {
  /** Stable id for the feed entry. */
  id: string;
  kind: ChangeKind;
  /** The date of the event (YYYY-MM-DD, or YYYY-MM / YYYY as the source gives it). */
  date: string;
  title: string;
  summary: string;
  href: string;
  scope: ChangeScope;
}

function itemScope(p: PortalItem): ChangeScope {
  return {
    items: [p.item.id],
    plans: [p.plan.id],
    units: [...new Set([...p.responsibleUnits, ...p.supervisingUnits])],
    regions: p.regionKeys,
  };
}

const listed = new WeakMap<Portal, Change[]>();
/** listChanges(portal), made once per portal: the dashboard and every feed of a build share it. */
export function changesOf(portal: Portal): Change[] {
  let changes = listed.get(portal);
  if (!changes) {
    changes = listChanges(portal);
    listed.set(portal, changes);
  }
  return changes;
}

/** Every event up to the as-of date, newest first. */
export function listChanges(portal: Portal): Change[] {
  const changes: Change[] = [];
  const add = (c: Change) => {
    if (startOfPeriod(c.date) <= portal.asOf) changes.push(c);
  };
  const withAncestors = (ids: readonly string[]) => [...new Set(ids.flatMap((r) => portal.regionTree.selfAndAncestorIds(r)))];

  for (const p of portal.items) {
    const scope = itemScope(p);
    const name = `${p.plan.title} ${p.numberLabel}`;
    p.item.statusHistory.forEach((h, k) => {
      add({
        id: `status:${p.item.id}:${k}`,
        kind: 'status',
        date: h.date,
        title: `${name}：${statusLabel(h.status)}`,
        summary: (h.note ?? `${p.title}——${statusLabel(h.status)}`) + (h.contradiction ? `（来源自相矛盾：另称“${h.contradiction.quote}”）` : ''),
        href: urls.item(p.item.id),
        scope,
      });
    });
    p.revisions.forEach((r, k) =>
      add({
        id: `amendment:${r.amendmentId}:${p.item.id}:${k}`,
        kind: 'amendment',
        date: r.date,
        title: `${name}：修改${FIELD_LABELS[r.field]}`,
        summary: r.after,
        href: urls.item(p.item.id),
        scope,
      }),
    );
    // A due date passing without a disclosed completion, on each clock (once when both agree).
    const a = p.assessment;
    for (const clock of ['current', 'original'] as const) {
      const due = a.due[clock];
      if (!due || a.onTime[clock] !== false) continue;
      if (clock === 'original' && due === a.due.current) continue;
      add({
        id: `deadline:${clock}:${p.item.id}:${due}`,
        kind: 'deadline',
        date: addDays(due, 1),
        title: `${name}：${clock === 'original' ? '原定' : ''}整改时限（${formatDateZh(due)}）已过，未公开完成`,
        summary: a.disclosed
          ? `截至${formatDateZh(due)}，已公开的状态均不是完成。`
          : `截至${formatDateZh(due)}，已收录的来源没有给出该项的任何整改进展。`,
        href: urls.item(p.item.id),
        scope,
      });
    }
    const s = p.item.signOff;
    if (s?.noticeFrom && s.noticeTo) {
      add({
        id: `sign-off:open:${p.item.id}:${s.noticeFrom}`,
        kind: 'sign-off',
        date: s.noticeFrom,
        title: `${name}：验收销号公示开始（至${formatDateZh(s.noticeTo)}）`,
        summary: `公示期内可对销号提出异议${s.objectionContact ? `：${s.objectionContact}` : ''}。`,
        href: urls.objection(p.item.id),
        scope,
      });
      add({
        id: `sign-off:closed:${p.item.id}:${s.noticeTo}`,
        kind: 'sign-off',
        date: addDays(s.noticeTo, 1),
        title: `${name}：验收销号公示期满`,
        summary: `公示期为${formatDateZh(s.noticeFrom)}至${formatDateZh(s.noticeTo)}；销号以异议均已公开处理结果为准。`,
        href: urls.objection(p.item.id),
        scope,
      });
    }
    if (s?.signedOffOn) {
      add({ id: `sign-off:done:${p.item.id}`, kind: 'sign-off', date: s.signedOffOn, title: `${name}：已销号`, summary: `来源称于${formatDateZh(s.signedOffOn)}销号。`, href: urls.item(p.item.id), scope });
    }
  }

  for (const c of portal.content.cases) {
    const related = c.relatedItems.map((id) => portal.item(id)).filter((x): x is PortalItem => !!x);
    add({
      id: `case:${c.id}`,
      kind: 'case',
      date: c.date,
      title: `典型案例：${c.title}`,
      summary: c.summary,
      href: urls.case(c.id),
      scope: {
        items: c.relatedItems,
        plans: [...new Set(related.map((r) => r.plan.id))],
        units: c.units,
        regions: withAncestors(c.regions),
      },
    });
  }

  for (const r of portal.content.reportingRounds) {
    const related = r.relatedItems.map((id) => portal.item(id)).filter((x): x is PortalItem => !!x);
    const scope: ChangeScope = {
      items: r.relatedItems,
      plans: [...new Set(related.map((x) => x.plan.id))],
      units: [],
      regions: withAncestors(r.outcomes.map((o) => o.region)),
    };
    const counts = Object.entries(OUTCOME_LABELS)
      .map(([o, label]) => [label, r.outcomes.filter((x) => x.outcome === o).length] as const)
      .filter(([, n]) => n > 0)
      .map(([label, n]) => `${label} ${n} 个`)
      .join('，');
    add({ id: `reporting:due:${r.id}`, kind: 'reporting', date: r.dueOn, title: `上报期限：${r.title}`, summary: `${r.requester}要求${r.addressees}于${formatDateZh(r.dueOn)}前上报：${r.subject}`, href: urls.reportingRound(r.id), scope });
    add({ id: `reporting:assessed:${r.id}`, kind: 'reporting', date: r.assessedOn, title: `上报情况通报：${r.title}`, summary: `${counts}。${r.newDueOn ? `新期限：${formatDateZh(r.newDueOn)}。` : ''}`, href: urls.reportingRound(r.id), scope });
    if (r.newDueOn) add({ id: `reporting:new-due:${r.id}`, kind: 'reporting', date: r.newDueOn, title: `新上报期限：${r.title}`, summary: r.newRequirement ?? `新期限为${formatDateZh(r.newDueOn)}。`, href: urls.reportingRound(r.id), scope });
  }

  return changes.sort((a, b) => startOfPeriod(b.date).localeCompare(startOfPeriod(a.date)) || a.id.localeCompare(b.id));
}

export type FeedScope = 'items' | 'plans' | 'units' | 'regions';

/** The events concerning one item, plan, unit or region. */
export function changesFor(changes: readonly Change[], scope: FeedScope, id: string): Change[] {
  return changes.filter((c) => c.scope[scope].includes(id));
}
