/** The snapshots this build publishes (kept ones plus today's), computed once per build from the read model. */
import { getPortal } from '../content/portal.ts';
import { diffSnapshots, openDataFiles, publishedSnapshots, readSnapshotDir, snapshotsDir, type PublishedSnapshots, type SnapshotDiff } from './snapshots.ts';

let cached: (PublishedSnapshots & { diffs: Map<string, SnapshotDiff> }) | undefined;

export function buildSnapshots(): PublishedSnapshots & { diffs: Map<string, SnapshotDiff> } {
  if (cached) return cached;
  const portal = getPortal();
  const published = publishedSnapshots(readSnapshotDir(snapshotsDir()), portal.asOf, openDataFiles(portal));
  const diffs = new Map<string, SnapshotDiff>();
  published.snapshots.forEach((s, k) => {
    if (k > 0) diffs.set(s.date, diffSnapshots(published.snapshots[k - 1]!, s));
  });
  cached = { ...published, diffs };
  return cached;
}
