/**
 * What a headline figure rests on, in words: the captions under the ratio
 * cards and beside the inspection rows. Built from the same roll-up as the
 * figure, so the caption and the number cannot disagree.
 */
import { deadlineCategoryDefinition, type DeadlineCategory } from '../domain/deadline.ts';
import type { Rollup } from '../domain/ratios.ts';
import { EVIDENCE_LABELS } from '../model/labels.ts';

const evidenceLabel = (tier: string) => (EVIDENCE_LABELS as Record<string, string>)[tier] ?? '未注明证据类别';

/** What the completion rate rests on: whose word the done statuses are, and how many items have none. */
export function completionBasis(r: Rollup): string {
  const parts: string[] = [];
  const tiers = Object.entries(r.doneByEvidence).filter(([, n]) => n > 0);
  if (r.done > 0) {
    parts.push(
      tiers.length === 1
        ? `${r.done} 项计为完成，依据均为${evidenceLabel(tiers[0]![0])}`
        : `${r.done} 项计为完成，依据：${tiers.map(([t, n]) => `${evidenceLabel(t)} ${n} 项`).join('、')}`,
    );
  }
  const undisclosed = r.items - r.disclosed;
  if (undisclosed > 0) parts.push(`${undisclosed} 项无任何公开进展，计为未完成`);
  return parts.length ? `${parts.join('；')}。` : '';
}

/** What the on-time rate rests on: how many items fell due, and how many of them have any disclosed progress. */
export function onTimeBasis(r: Rollup): string {
  if (r.dueCurrent === 0) return '尚无到期任务，按期完成率无从计算。';
  if (r.dueUndisclosed === r.dueCurrent) {
    return r.dueCurrent === 1 ? '唯一到期的 1 项任务没有公开进展。' : `${r.dueCurrent} 项到期任务均无公开进展：这一比率反映的是没有公开信息，不是已知未完成。`;
  }
  if (r.dueUndisclosed > 0) return `${r.dueCurrent} 项到期任务中 ${r.dueUndisclosed} 项无公开进展，计为未按期完成。`;
  return `${r.dueCurrent} 项到期任务均有公开进展。`;
}

/** The deadline categories with at least one item, in the methodology's order, as "时限未公开 19 项、无期限 5 项". */
export function undatedBreakdown(r: Pick<Rollup, 'byDeadline'>): { id: DeadlineCategory; label: string; count: number }[] {
  return (['undisclosed', 'no-end', 'pending', 'unparsed'] as const)
    .map((id) => ({ id, label: deadlineCategoryDefinition(id).label, count: r.byDeadline[id] }))
    .filter((x) => x.count > 0);
}

/** One sentence on the items left out of the on-time rate and why. */
export function undatedSentence(r: Pick<Rollup, 'byDeadline'>): string {
  const parts = undatedBreakdown(r);
  if (parts.length === 0) return '全部任务都有到期日。';
  return `不计入按期完成率的无到期日任务：${parts.map((p) => `${p.label} ${p.count} 项`).join('、')}。`;
}
