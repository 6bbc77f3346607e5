/** The snapshots this build publishes (kept ones plus today's), computed once per build from the read model. */
import { getPortal } from '../content/portal.ts';
import type { SnapshotHistory } from './snapshot-compare.ts';
import { diffSnapshots, historyOf, openDataFiles, publishedSnapshots, readSnapshotDir, snapshotsDir, type PublishedSnapshots, type SnapshotDiff } from './snapshots.ts';

type Built = PublishedSnapshots & { diffs: Map<string, SnapshotDiff>; history: SnapshotHistory };
let cached: Built | undefined;

export function buildSnapshots(): Built {
  if (cached) return cached;
  const portal = getPortal();
  const published = publishedSnapshots(readSnapshotDir(snapshotsDir()), portal.asOf, openDataFiles(portal));
  const diffs = new Map<string, SnapshotDiff>();
  published.snapshots.forEach((s, k) => {
    if (k > 0) diffs.set(s.date, diffSnapshots(published.snapshots[k - 1]!, s));
  });
  // An item named as the site names it today; one no longer published, as its last snapshot did.
  const history = historyOf(published.snapshots, (id, row) => {
    const item = portal.item(id);
    return item ? { plan: item.plan.title, number: item.numberLabel } : { plan: String(row.plan_title ?? ''), number: `第${String(row.number ?? '')}项` };
  });
  cached = { ...published, diffs, history };
  return cached;
}
