/**
 * `astro build` into an output folder kept between builds (astro.config.mjs: `emptyOutDir: false`,
 * incremental builds): pages whose cache key and code are unchanged stay where the previous build
 * left them, and afterwards every file the build did not write and does not keep is removed — pages
 * no longer made (a deleted item), assets of earlier code, bundles of record pages (the build has
 * just put every record's files back; scripts/bundle-pages.ts makes the bundles again), a static
 * index, old server chunks. What stays: files written by this build, the pages Astro kept (those in
 * its cache manifest, `incremental-build.json`), the record data files scripts/record-files.ts
 * wrote after the last build (it runs next, and removes those of records that are gone itself), and
 * the open-data files and snapshots under `client/data/` that scripts/open-data.ts writes after it
 * (and keeps up to date itself). The output is then what an empty folder would have given
 * (tests/build/incremental.test.ts compares them).
 *
 *   tsx scripts/astro-build.ts [astro build options, e.g. --outDir DIR]
 *
 * The build scripts (`npm run build`, `build:worker`) run it; ASTRO_ADAPTER picks the default folder.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isOpenDataPath } from '../src/site/open-data-build.ts';
import { astroCacheDir } from './astro-cache-dir.mjs';
import { recordManifestFile, recordOutputs } from './record-manifest.ts';

const MARKER = '.build-started';

/** Removes every file below `dir` written before `since` that `keep` does not name (or accept); then empty folders. Returns how many files. */
export function pruneOlder(dir: string, since: number, keep: ReadonlySet<string> | ((path: string) => boolean), at = dir): number {
  const kept = typeof keep === 'function' ? keep : (path: string) => keep.has(path);
  let removed = 0;
  for (const e of readdirSync(at, { withFileTypes: true })) {
    const path = join(at, e.name);
    if (e.isDirectory()) {
      removed += pruneOlder(dir, since, kept, path);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (!kept(path) && statSync(path).mtimeMs < since) {
      rmSync(path);
      removed += 1;
    }
  }
  return removed;
}

/** Output files of the pages Astro kept or wrote with a cache key (paths relative to the output folder). */
function cachedOutputs(manifestFile: string): string[] {
  if (!existsSync(manifestFile)) return [];
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { routes?: Record<string, { paths: Record<string, { outputFile: string }> }> };
  return Object.values(manifest.routes ?? {}).flatMap((r) => Object.values(r.paths).map((p) => p.outputFile));
}

/**
 * Runs `build` (an astro build into `outDir`) on the kept folder, then removes what it did not write
 * or keep. Returns how many files were removed, or null when the build failed. A build that did not
 * finish (its marker is still there) may have written pages its cache manifest does not describe:
 * the next one is then told to `force` (render every page, as into an empty folder).
 */
export async function keptBuild(outDir: string, target: 'node' | 'cloudflare', build: (force: boolean) => Promise<boolean>): Promise<number | null> {
  mkdirSync(outDir, { recursive: true });
  // The marker's time, on the file system's clock: what this build writes is not older.
  const marker = join(outDir, MARKER);
  const interrupted = existsSync(marker);
  if (interrupted) console.log('上次构建未完成：本次重新生成全部页面（--force）。');
  closeSync(openSync(marker, 'w'));
  const started = statSync(marker).mtimeMs;
  if (!(await build(interrupted))) return null;
  const keep = new Set(cachedOutputs(join(astroCacheDir(target), 'incremental-build.json')).map((f) => join(outDir, f)));
  for (const file of recordOutputs(recordManifestFile(target), outDir)) keep.add(file);
  keep.add(marker);
  // The open-data files and snapshots are not Astro's: their own step (scripts/open-data.ts) writes them after this one.
  const client = join(outDir, 'client');
  const removed = pruneOlder(outDir, started, (path) => keep.has(path) || isOpenDataPath(relative(client, path)));
  rmSync(marker);
  return removed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outDir');
  const target = process.env.ASTRO_ADAPTER === 'cloudflare' ? 'cloudflare' : 'node';
  const outDir = resolve(at >= 0 ? args[at + 1]! : target === 'cloudflare' ? 'dist-worker' : 'dist');
  let status = 0;
  const removed = await keptBuild(outDir, target, async (force) => {
    status = spawnSync(join('node_modules', '.bin', 'astro'), ['build', ...args, ...(force && !args.includes('--force') ? ['--force'] : [])], { stdio: 'inherit' }).status ?? 1;
    return status === 0;
  });
  if (removed === null) process.exit(status);
  console.log(`构建输出：上次构建中未变的页面留在原处，删除本次构建不再生成的 ${removed} 个文件。`);
}
