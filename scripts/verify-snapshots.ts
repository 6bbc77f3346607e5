/**
 * npm run verify:snapshots [SITE_URL|SITE_DIR]
 *
 * Checks the open-data snapshots of a deployed site (a URL) or of a built or
 * downloaded copy of it (a folder; default dist): the hash chain of the
 * manifests and the SHA-256 and size of every file. Exit status 0 when all
 * hold, 1 on any mismatch (each one printed), 2 on a usage error.
 */
import { dirSource, urlSource, verifySnapshots } from '../src/site/snapshots.ts';

const target = process.argv[2] ?? 'dist/client';
const source = /^https?:\/\//.test(target) ? urlSource(target) : dirSource(target);
try {
  const { problems, snapshots } = await verifySnapshots(source, { keepFiles: false });
  if (problems.length) {
    console.error(`快照校验失败（${source.describe}），${problems.length} 处问题：`);
    for (const p of problems) console.error(`  ${p}`);
    process.exitCode = 1;
  } else {
    const files = snapshots.reduce((n, s) => n + s.manifest.files.length, 0);
    console.log(`快照校验通过（${source.describe}）：${snapshots.length} 个快照，${files} 个文件，哈希链完整。`);
    for (const s of snapshots) console.log(`  ${s.date}  ${s.sha256}  ${s.manifest.files.length} 个文件`);
  }
} catch (error) {
  console.error(`无法读取快照：${(error as Error).message}`);
  process.exitCode = 2;
}
