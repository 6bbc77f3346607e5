/** Snapshots: the manifest hash chain, carrying earlier snapshots forward unchanged, one snapshot per date, and what changed between two. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MANIFEST, diffSnapshots, dirSource, indexBytes, makeSnapshot, publishedSnapshots, readSnapshotDir, sha256, verifySnapshots, type Snapshot,
} from '../../src/site/snapshots.ts';

const files = (status: string, text = '原文') =>
  new Map([
    ['items.json', Buffer.from(JSON.stringify({ rows: [{ id: 'a', status, status_date: '2021-01-01', due_current: '2021-12-31', due_original: '2021-12-31', problem: text }, { id: 'b', status: '未公开进展', problem: 'x' }] }))],
    ['items.csv', Buffer.from('\uFEFFid,status\r\na,' + status + '\r\n')],
  ]);

let dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'snapshots-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Writes snapshots as a built site lays them out: <site>/data/snapshots/<date>/… and index.json. */
function writeSite(snapshots: Snapshot[]): string {
  const site = temp();
  const base = join(site, 'data', 'snapshots');
  for (const s of snapshots) {
    mkdirSync(join(base, s.date), { recursive: true });
    for (const [name, bytes] of s.files) writeFileSync(join(base, s.date, name), bytes);
    writeFileSync(join(base, s.date, MANIFEST), s.manifestBytes);
  }
  writeFileSync(join(base, 'index.json'), indexBytes(snapshots));
  return site;
}

describe('snapshot manifests and their chain', () => {
  const first = makeSnapshot('2021-01-01', files('未公开进展'), undefined);
  const second = makeSnapshot('2021-02-01', files('已完成'), first);
  const third = makeSnapshot('2021-03-01', files('已完成', '改过的原文'), second);

  it('lists every file’s SHA-256 and size and links each manifest to the previous one', () => {
    expect(first.manifest.previous).toBeNull();
    expect(second.manifest.previous).toBe(sha256(first.manifestBytes));
    expect(second.manifest.previousDate).toBe('2021-01-01');
    const items = second.manifest.files.find((f) => f.name === 'items.csv')!;
    expect(items).toEqual({ name: 'items.csv', sha256: sha256(second.files.get('items.csv')!), bytes: second.files.get('items.csv')!.length });
  });

  it('verifies an intact chain', async () => {
    const { problems, snapshots } = await verifySnapshots(dirSource(writeSite([first, second, third])));
    expect(problems).toEqual([]);
    expect(snapshots.map((s) => s.date)).toEqual(['2021-01-01', '2021-02-01', '2021-03-01']);
  });

  it('checks a file at a time without keeping them, when asked (the build\'s keep step and verify:snapshots)', async () => {
    const kept = await verifySnapshots(dirSource(writeSite([first, second, third])), { keepFiles: false });
    expect(kept.problems).toEqual([]);
    expect(kept.snapshots.map((s) => [s.sha256, s.files.size])).toEqual([first, second, third].map((s) => [s.sha256, 0]));
  });

  it('keeps a built site\'s snapshots in the kept folder byte for byte (scripts/snapshots.ts keep), and refuses a tampered one', () => {
    const site = writeSite([first, second, third]);
    const keptDir = join(temp(), 'kept');
    const keep = (dir: string) => spawnSync('node_modules/.bin/tsx', ['scripts/snapshots.ts', 'keep', dir], { env: { ...process.env, SNAPSHOTS_DIR: keptDir }, encoding: 'utf8' });
    expect(keep(site).status).toBe(0);
    const read = readSnapshotDir(keptDir);
    expect(read.map((s) => s.sha256)).toEqual([first.sha256, second.sha256, third.sha256]);
    for (const [k, s] of [first, second, third].entries()) for (const [name, bytes] of s.files) expect(read[k]!.files.get(name)!.equals(bytes), name).toBe(true);
    const tampered = writeSite([first, second, third]);
    writeFileSync(join(tampered, 'data/snapshots/2021-03-01/items.csv'), 'x');
    rmSync(keptDir, { recursive: true });
    expect(keep(tampered).status).toBe(1);
    expect(readSnapshotDir(keptDir)).toEqual([]);
  }, 60_000);

  it('detects a changed file', async () => {
    const site = writeSite([first, second, third]);
    writeFileSync(join(site, 'data/snapshots/2021-02-01/items.csv'), '\uFEFFid,status\r\na,未完成\r\n');
    const { problems } = await verifySnapshots(dirSource(site));
    expect(problems).toEqual([expect.stringMatching(/^2021-02-01\/items.csv：.*SHA-256 与清单不符/)]);
  });

  it('detects a past snapshot rewritten with a matching manifest: the next link breaks', async () => {
    // Rewrite the first snapshot's data and its manifest consistently, and the index with it.
    const forged = makeSnapshot('2021-01-01', files('已完成'), undefined);
    const { problems } = await verifySnapshots(dirSource(writeSite([forged, second, third])));
    expect(problems).toEqual([expect.stringContaining('2021-02-01：previous 应为')]);
    expect(problems[0]).toContain('哈希链断裂');
  });

  it('detects a snapshot removed from the middle, and one left out of the index', async () => {
    expect((await verifySnapshots(dirSource(writeSite([first, third])))).problems.join()).toContain('2021-03-01：previous 应为');
    const site = writeSite([first, second, third]);
    writeFileSync(join(site, 'data/snapshots/index.json'), indexBytes([first, second]));
    expect((await verifySnapshots(dirSource(site))).problems).toEqual(['2021-03-01：快照目录不在索引中']);
  });

  it('reports a site with no snapshots', async () => {
    expect((await verifySnapshots(dirSource(temp()))).problems[0]).toMatch(/^没有找到快照索引/);
  });
});

describe('publishing: earlier snapshots carried forward, one per date', () => {
  const kept = [makeSnapshot('2021-01-01', files('未公开进展'), undefined)];

  it('adds today’s snapshot chained to the last kept one, and keeps the kept bytes as they are', () => {
    const p = publishedSnapshots(kept, '2021-02-01', files('已完成'));
    expect(p.snapshots).toHaveLength(2);
    expect(p.snapshots[0]).toBe(kept[0]);
    expect(p.added!.manifest.previous).toBe(kept[0]!.sha256);
  });

  it('never rewrites a snapshot already published for the date, and says so when the data differ', () => {
    expect(publishedSnapshots(kept, '2021-01-01', files('未公开进展'))).toEqual({ snapshots: kept, note: undefined });
    const changed = publishedSnapshots(kept, '2021-01-01', files('已完成'));
    expect(changed.snapshots).toEqual(kept);
    expect(changed.added).toBeUndefined();
    expect(changed.note).toContain('不可改写');
    expect(publishedSnapshots(kept, '2020-12-01', files('x')).note).toContain('不补写较早的快照');
  });

  it('reads a kept folder back byte for byte', () => {
    const site = writeSite(kept);
    const read = readSnapshotDir(join(site, 'data', 'snapshots'));
    expect(read.map((s) => s.sha256)).toEqual([kept[0]!.sha256]);
    expect(read[0]!.files.get('items.csv')!.equals(kept[0]!.files.get('items.csv')!)).toBe(true);
    expect(readFileSync(join(site, 'data/snapshots/2021-01-01', MANIFEST)).equals(kept[0]!.manifestBytes)).toBe(true);
  });

  it('says which items changed status, deadline or text between two snapshots', () => {
    const a = makeSnapshot('2021-01-01', files('未公开进展'), undefined);
    const b = makeSnapshot('2021-02-01', files('已完成', '新原文'), a);
    expect(diffSnapshots(a, b)).toEqual({ from: '2021-01-01', to: '2021-02-01', status: ['a'], deadline: [], text: ['a'], added: [], removed: [] });
  });
});
