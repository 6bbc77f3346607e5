/**
 * Keeps the open-data snapshots (src/site/snapshots.ts) across builds.
 *
 *   tsx scripts/snapshots.ts pull [SITE_URL|SITE_DIR]   before a build: copy the snapshots of the
 *                                                     deployed site (default SNAPSHOTS_FROM) into the
 *                                                     kept folder, after checking their chain
 *   tsx scripts/snapshots.ts keep [SITE_DIR]          after a build: check the chain in dist/client/ and copy
 *                                                     any new snapshot into the kept folder
 *
 * The kept folder is SNAPSHOTS_DIR (default .data/snapshots). Nothing in it is ever overwritten:
 * a snapshot whose date is kept with other bytes is an error.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, dirSource, listedFiles, readSnapshotHeads, sha256, snapshotsDir, urlSource, verifySnapshots, type SnapshotHead, type SnapshotSource } from '../src/site/snapshots.ts';

/** Copies a verified snapshot from `source` into the kept folder, a file at a time (read, checked against its manifest, written). */
async function keepSnapshot(dir: string, s: SnapshotHead, source: SnapshotSource): Promise<'kept' | 'same'> {
  const target = join(dir, s.date);
  const manifestPath = join(target, MANIFEST);
  if (existsSync(manifestPath)) {
    if (!readFileSync(manifestPath).equals(s.manifestBytes)) throw new Error(`${s.date}：保存目录中已有该日快照，内容不同；快照不可改写（${target}）`);
    return 'same';
  }
  mkdirSync(target, { recursive: true });
  for (const f of listedFiles(s.manifest)) {
    const bytes = await source.read(`${s.date}/${f.name}`);
    if (!bytes || bytes.length !== f.bytes || sha256(bytes) !== f.sha256) throw new Error(`${s.date}/${f.name}：复制时与清单不符（${source.describe}）`);
    writeFileSync(`${join(target, f.name)}.tmp`, bytes);
    renameSync(`${join(target, f.name)}.tmp`, join(target, f.name));
  }
  // The manifest last: a folder without one is not a snapshot (an interrupted copy is ignored).
  writeFileSync(manifestPath, s.manifestBytes);
  return 'kept';
}

async function main(): Promise<number> {
  const [command, where] = process.argv.slice(2);
  const dir = snapshotsDir();
  if (command !== 'pull' && command !== 'keep') {
    console.error('用法：tsx scripts/snapshots.ts pull [SITE_URL|SITE_DIR] | keep [SITE_DIR]');
    return 2;
  }
  const from = command === 'pull' ? where ?? process.env.SNAPSHOTS_FROM : where ?? 'dist/client';
  if (!from) {
    console.log('未设置 SNAPSHOTS_FROM：不从已部署站点拉取快照，沿用保存目录中的快照。');
    return 0;
  }
  const source = /^https?:\/\//.test(from) ? urlSource(from) : dirSource(from);
  // Checked a file at a time, none kept in memory (a snapshot at 50,000 items is ≈ 600 MB); kept ones are copied the same way.
  const { problems, snapshots } = await verifySnapshots(source, { keepFiles: false });
  if (command === 'pull' && snapshots.length === 0 && problems.length === 1 && problems[0]!.startsWith('没有找到快照索引')) {
    console.log(`${source.describe} 尚无快照（首次发布）：沿用保存目录中的快照。`);
    return 0;
  }
  if (problems.length) {
    console.error(`快照校验失败（${source.describe}）：\n${problems.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
  const kept = readSnapshotHeads(dir);
  const counts = { kept: 0, same: 0 };
  for (const s of snapshots) counts[await keepSnapshot(dir, s, source)] += 1;
  // Every snapshot kept before must still be in the published chain: none may disappear.
  const published = new Set(snapshots.map((s) => s.date));
  const missing = kept.filter((s) => !published.has(s.date)).map((s) => s.date);
  if (missing.length && command === 'keep') {
    console.error(`发布的快照缺少保存目录中的 ${missing.join('、')}`);
    return 1;
  }
  console.log(`快照：${snapshots.length} 个，哈希链完整；新保存 ${counts.kept} 个到 ${dir}。`);
  return 0;
}

process.exitCode = await main();
