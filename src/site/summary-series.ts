/**
 * Figures that exist only in summaries, over time. Progress summaries (a source's "共 19 项，基本完成
 * 11 项……" without an item list): the summaries of one subject — the same inspection (or subject) in the
 * same region — at two or more dates become one series per figure. Reporting rounds on one subject
 * assessed at two or more dates: the number of regions per outcome at each. These are the sources' numbers,
 * never the portal's item counts: pages show them in a chart of their own, saying so, and cite the
 * source of every date.
 */
import { REPORT_OUTCOMES, type ProgressSummary, type ReportingRound, type ReportOutcome } from '../model/schemas.ts';
import { isDone, parseStatus } from '../domain/status.ts';

export interface SummaryPoint {
  date: string;
  summary: ProgressSummary;
}

export interface SummarySeries {
  /** `<inspection or subject>|<region>`. */
  key: string;
  inspection?: string | undefined;
  subject?: string | undefined;
  region: string;
  /** One per date, oldest first (a date given by two summaries keeps the later-listed one). */
  points: SummaryPoint[];
  /** The unit every series is counted in (the whole's: 项, 个). */
  unit: string;
  /** The whole (`total: true`) first, then each other figure in that unit, as the sources label them; null where a summary does not give it. */
  series: { label: string; values: (number | null)[]; total: boolean }[];
  /**
   * Per date, the figures whose label is a status the portal counts as done (已完成, 基本完成, 已销号)
   * added up — the portal's completion rule applied to the source's figures; null where a summary
   * gives no such figure. Absent when no summary gives one.
   */
  done?: (number | null)[] | undefined;
}

const keyOf = (s: ProgressSummary) => `${s.inspection ?? s.subject ?? s.id}|${s.region}`;

/** The summaries that form a history (two or more dates for one subject), each as its series. */
export function summarySeries(summaries: readonly ProgressSummary[]): SummarySeries[] {
  const groups = new Map<string, ProgressSummary[]>();
  for (const s of summaries) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
  const out: SummarySeries[] = [];
  for (const [key, list] of groups) {
    const byDate = new Map(list.map((s) => [s.asOf, s]));
    if (byDate.size < 2) continue;
    const points = [...byDate].sort(([a], [b]) => a.localeCompare(b)).map(([date, summary]) => ({ date, summary }));
    const unit = points.map((p) => p.summary.figures.find((f) => f.total)?.unit).find((u) => u !== undefined) ?? points[0]!.summary.figures[0]!.unit;
    const labels: { label: string; total: boolean }[] = [];
    for (const { summary } of points) {
      for (const f of summary.figures) {
        if (f.unit !== unit || labels.some((l) => l.label === f.label)) continue;
        labels.push({ label: f.label, total: !!f.total });
      }
    }
    labels.sort((a, b) => Number(b.total) - Number(a.total));
    const series = labels.map(({ label, total }) => ({ label, total, values: points.map((p) => p.summary.figures.find((f) => f.label === label && f.unit === unit)?.value ?? null) }));
    const doneOf = (s: ProgressSummary) => {
      const done = s.figures.filter((f) => !f.total && f.unit === unit && (() => { const id = parseStatus(f.label); return id !== undefined && isDone(id); })());
      return done.length ? done.reduce((n, f) => n + f.value, 0) : null;
    };
    const done = points.map((p) => doneOf(p.summary));
    const first = points[0]!.summary;
    out.push({ key, inspection: first.inspection, subject: first.subject, region: first.region, points, unit, series, done: done.some((d) => d !== null) ? done : undefined });
  }
  return out;
}

export interface RoundPoint {
  date: string;
  round: ReportingRound;
}

/** Reporting rounds on one subject (same requester and subject) assessed at two or more dates: the number of regions per outcome at each assessment. */
export interface RoundSeries {
  key: string;
  requester: string;
  subject: string;
  points: RoundPoint[];
  series: { outcome: ReportOutcome; values: number[] }[];
}

export function roundSeries(rounds: readonly ReportingRound[]): RoundSeries[] {
  const groups = new Map<string, ReportingRound[]>();
  for (const r of rounds) {
    const key = `${r.requester}|${r.subject}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: RoundSeries[] = [];
  for (const [key, list] of groups) {
    const byDate = new Map(list.map((r) => [r.assessedOn, r]));
    if (byDate.size < 2) continue;
    const points = [...byDate].sort(([a], [b]) => a.localeCompare(b)).map(([date, round]) => ({ date, round }));
    const series = REPORT_OUTCOMES.map((outcome) => ({ outcome, values: points.map((p) => p.round.outcomes.filter((o) => o.outcome === outcome).length) }));
    out.push({ key, requester: list[0]!.requester, subject: list[0]!.subject, points, series });
  }
  return out;
}
