/**
 * How much of an inspection the portal holds item by item, measured against
 * the totals its sources state (progress-summary figures marked `total`).
 * The dashboard's inspection rows and the inspection pages say it, so that
 * "19 项" is read as 武威's 19 of the province's 62, not as the inspection.
 */
import type { Portal } from '../content/portal.ts';
import type { ProgressSummary } from '../model/schemas.ts';

export interface StatedTotal {
  summary: ProgressSummary;
  regionId: string;
  regionName: string;
  value: number;
  unit: string;
  asPrinted?: string | undefined;
  /** Items the portal holds for this inspection in that region (and below). */
  held: number;
}

export interface Coverage {
  /** Items held for the inspection. */
  held: number;
  /** The plans they come from, with the region each covers. */
  plans: { id: string; title: string; regionName: string; items: number }[];
  /** Totals the sources state, widest region first. */
  stated: StatedTotal[];
  /** One sentence for a table cell or a caption. */
  sentence: string;
}

export function inspectionCoverage(portal: Portal, inspectionId: string): Coverage {
  const plans = portal.content.plans
    .filter((p) => p.inspection === inspectionId)
    .map((p) => ({ id: p.id, title: p.title, regionName: portal.region(p.region)?.name ?? p.region, items: portal.itemsBy.plan.get(p.id)?.length ?? 0 }));
  const items = portal.items.filter((i) => i.plan.inspection === inspectionId);
  const held = items.length;
  const level = (id: string) => portal.regionTree.depth(id);
  const stated: StatedTotal[] = portal.content.progressSummaries
    .filter((s) => s.inspection === inspectionId)
    .flatMap((s) =>
      s.figures
        .filter((f) => f.total)
        .map((f) => ({
          summary: s,
          regionId: s.region,
          regionName: portal.region(s.region)?.name ?? s.region,
          value: f.value,
          unit: f.unit,
          asPrinted: f.asPrinted,
          held: items.filter((i) => i.regionKeys.includes(s.region)).length,
        })),
    )
    .sort((a, b) => level(a.regionId) - level(b.regionId) || a.summary.id.localeCompare(b.summary.id));

  const heldText =
    held === 0
      ? '本站未收录逐项清单'
      : `本站收录 ${held} 项（${plans.filter((p) => p.items > 0).map((p) => `${p.regionName}的整改方案 ${p.items} 项`).join('；')}）`;
  const statedText = stated.length
    ? stated.map((t) => `来源称${t.regionName}共 ${t.value} ${t.unit}${held > 0 ? (t.held === t.value ? '，已全部收录' : `，本站收录其中 ${t.held} ${t.unit}`) : ''}`).join('；')
    : '已收录的来源未给出该督察的问题总数';
  return { held, plans, stated, sentence: `${heldText}；${statedText}。` };
}
