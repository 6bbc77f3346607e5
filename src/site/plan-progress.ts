/**
 * Progress over time in parts that can be added up: for a run of items of one plan, its dated
 * events and, as a step function, its counts (done, disclosed, overdue, …) from each date on which
 * any of them can change. A chart of any set of items (src/site/progress.ts) joins the events of its
 * runs and sums their counts at the chart's dates — the same figures as assessing every item at every
 * date (tests/unit/plan-progress.test.ts), at a few assessments per item.
 *
 * A whole plan's run is kept on disk between builds (beside the parse cache, `.cache/content/` or
 * CONTENT_CACHE_DIR), keyed by the plan's and its items' digests (src/site/page-keys.ts: the parse
 * cache's file digests), the as-of date, VERSION and the source of the code that assesses them: on a
 * one-item change only that item's plan is assessed again, and the dashboard and the country's and
 * provinces' pages sum about a thousand runs instead of assessing 50,000 items at 60 dates.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { assessItemAt, type Portal, type PortalItem } from '../content/portal.ts';
import { CONTENT_DIR } from '../content/load.ts';
import type { ItemAssessment } from '../domain/assess.ts';
import { addDays, startOfPeriod } from '../domain/dates.ts';
import { timelineEvents, type ProgressCounts } from '../domain/timeline.ts';
import { digestOf } from './page-keys.ts';

/** Raised when what a kept run holds changes shape. */
const VERSION = 1;

/** Earlier than any date a chart shows: the first step of every run. */
const FIRST = '0000-01-01';

export interface RunProgress {
  /** timelineEvents of the run's items without extras, in its order (joinEvents keeps it). */
  events: [string, string[]][];
  /** Dates from which the counts hold, ascending; the first is FIRST, none after the as-of date. */
  from: string[];
  /** counts[k], from from[k]: items, done, disclosed, overdue (original), overdue (current), overdue unreported. */
  counts: number[][];
}

const vector = (a: ItemAssessment): number[] => [1, +a.done, +a.disclosed, +a.overdue.original, +a.overdue.current, +a.overdueUnreported];

/**
 * An item's assessment from each date on which it can change: a status becoming known (its
 * period's first day), an amendment, the day after a due date (on either clock); from the as-of
 * date on, the assessment as of that date.
 */
export function itemSteps(p: PortalItem, asOf: string): { from: string[]; assessments: ItemAssessment[] } {
  const starts = p.item.statusHistory.map((h) => startOfPeriod(h.date));
  const amended = p.plan.amendments.map((a) => a.date);
  const from: string[] = [];
  const assessments: ItemAssessment[] = [];
  let at = FIRST;
  for (;;) {
    const a = assessItemAt(p, at, asOf);
    from.push(at);
    assessments.push(a);
    if (at >= asOf) break;
    const dues = [a.due.original, a.due.current].filter((x): x is string => x !== undefined).map((x) => addDays(x, 1));
    const until = [...starts, ...amended, ...dues].filter((x) => x > at).reduce((m, x) => (x < m ? x : m), asOf);
    at = until;
  }
  return { from, assessments };
}

/** The last of ascending `from` on or before `date` (or the as-of date, if earlier); `from[0]` is FIRST. */
export function stepAt(from: readonly string[], date: string, asOf: string): number {
  const at = date < asOf ? date : asOf;
  let lo = 0;
  let hi = from.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (from[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The events and summed steps of consecutive items of one plan (computed, not kept). */
export function runProgress(items: readonly PortalItem[], asOf: string): RunProgress {
  const facts = items.map((i) => ({
    statusHistory: i.item.statusHistory,
    parts: i.item.parts.map((pt, k) => ({ originalDeadline: pt.deadline, currentDeadline: i.parts[k]!.deadline })),
  }));
  const events = [...timelineEvents(facts, asOf)];
  const steps = items.map((i) => {
    const s = itemSteps(i, asOf);
    return { from: s.from, counts: s.assessments.map(vector) };
  });
  const from = [...new Set(steps.flatMap((s) => s.from))].sort();
  const at = steps.map(() => 0);
  const counts = from.map((date) => {
    const sum = [0, 0, 0, 0, 0, 0];
    steps.forEach((s, k) => {
      while (at[k]! + 1 < s.from.length && s.from[at[k]! + 1]! <= date) at[k]! += 1;
      const v = s.counts[at[k]!]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += v[j]!;
    });
    return sum;
  });
  return { events, from, counts };
}

/** A run's counts as of `date` (the as-of date's from then on). */
export const runCountsAt = (run: RunProgress, date: string, asOf: string): number[] => run.counts[stepAt(run.from, date, asOf)]!;

export const countsOf = (v: readonly number[]): ProgressCounts => ({
  items: v[0]!,
  done: v[1]!,
  disclosed: v[2]!,
  overdue: { original: v[3]!, current: v[4]! },
  overdueUnreported: v[5]!,
});

/** The source of what a run is computed from: a change to it makes every kept run stale. */
function codeDigest(root: string): string | undefined {
  const files = ['src/site/plan-progress.ts', 'src/content/portal.ts', 'src/domain/timeline.ts', 'src/domain/assess.ts', 'src/domain/amend.ts', 'src/domain/dates.ts', 'src/domain/deadline.ts', 'src/domain/status.ts'];
  const h = createHash('sha1').update(String(VERSION));
  for (const f of files) {
    const path = join(root, f);
    // Without the source (a bundle run elsewhere) nothing tells a stale run: nothing is kept.
    if (!existsSync(path)) return undefined;
    h.update(readFileSync(path));
  }
  return h.digest('hex');
}

const cacheFile = () =>
  join(process.env.CONTENT_CACHE_DIR || join(process.cwd(), '.cache', 'content'), `progress-${createHash('sha1').update(resolve(CONTENT_DIR)).digest('hex').slice(0, 24)}.v8`);

interface Kept {
  key: string;
  run: RunProgress;
}

const built = new WeakMap<Portal, Map<string, RunProgress>>();
/** How many runs the last planRuns() computed and took from the kept file (for tests and logs). */
export const planRunStats = { computed: 0, kept: 0 };

/**
 * Every plan's run (its items, in order), once per process: those whose key is unchanged from the
 * file kept by the previous build, the others computed; the file is written again when any was.
 * CONTENT_CACHE=off keeps nothing.
 */
export function planRuns(portal: Portal): Map<string, RunProgress> {
  let runs = built.get(portal);
  if (runs) return runs;
  const code = process.env.CONTENT_CACHE === 'off' ? undefined : codeDigest(process.cwd());
  const file = cacheFile();
  let kept = new Map<string, Kept>();
  if (code !== undefined) {
    try {
      kept = deserialize(readFileSync(file)) as Map<string, Kept>;
    } catch {
      // Nothing kept yet, or unreadable: every run is computed.
    }
  }
  runs = new Map();
  const next = new Map<string, Kept>();
  let computed = 0;
  for (const [planId, items] of portal.itemsBy.plan) {
    const plan = portal.plan(planId);
    const key = createHash('sha256')
      .update(JSON.stringify([code, portal.asOf, digestOf(plan), items.map((i) => digestOf(i.item))]))
      .digest('base64url');
    const old = kept.get(planId);
    const run = old && old.key === key ? old.run : runProgress(items, portal.asOf);
    if (run !== old?.run) computed += 1;
    runs.set(planId, run);
    next.set(planId, { key, run });
  }
  if (code !== undefined && (computed > 0 || next.size !== kept.size)) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, serialize(next));
      renameSync(tmp, file);
    } catch {
      // A read-only checkout: the next build computes them again.
    }
  }
  built.set(portal, runs);
  planRunStats.computed = computed;
  planRunStats.kept = runs.size - computed;
  return runs;
}

/** The file the runs are kept in (for tests). */
export const planRunsFile = cacheFile;
