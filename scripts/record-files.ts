/**
 * Writes the record pages' data files (src/site/record-files.ts: item.json and the feeds of items,
 * plans, units and regions, and their items.csv / items.json) into the static site after
 * `astro build`, rewriting only those whose cache key changed since the last run into this folder.
 *
 *   tsx scripts/record-files.ts [outDir]      # dist (dist-worker with ASTRO_ADAPTER=cloudflare)
 *
 * What was written last time is kept in a manifest beside Astro's cache (path → key, with the
 * output folder and a digest of the code that makes the files): a file is written again when its
 * key or the code changed, or when it is missing (bundling moves record files out of the folder);
 * files of records that no longer exist are removed. Each file is written to a temporary name and
 * renamed, and the manifest is written last, so an interrupted run leaves whole files and a
 * manifest that at worst makes the next run write again what it already wrote.
 * scripts/astro-build.ts keeps the files this manifest names when it prunes what Astro did not make.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getPortal } from '../src/content/portal.ts';
import { codeDigest } from '../src/site/code-digest.ts';
import { recordFiles } from '../src/site/record-files.ts';
import { readManifest, recordManifestFile, type Manifest } from './record-manifest.ts';

function writeWhole(file: string, body: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}

/** Removes `dir` and its parents up to `stop` while they are empty. */
function removeEmpty(dir: string, stop: string): void {
  for (let at = dir; at.startsWith(stop) && at !== stop; at = dirname(at)) {
    if (!existsSync(at) || readdirSync(at).length > 0) return;
    rmdirSync(at);
  }
}

export interface RecordFilesResult {
  written: string[];
  /** Files left as they were (key and code unchanged). */
  kept: string[];
  removed: number;
}

/** Brings `<outDir>/client`'s record files up to date with the content; see the header. */
export function writeRecordFiles(outDir: string, manifestFile: string, root = process.cwd()): RecordFilesResult {
  const out = resolve(outDir);
  const client = join(out, 'client');
  // Without the source (a bundle run elsewhere) every file is written: nothing can be known to be unchanged.
  const code = codeDigest(root) ?? `uncached ${process.pid} ${Date.now()}`;
  const last = readManifest(manifestFile);
  const before = last && last.outDir === out && last.code === code ? last.files : {};
  const files: Record<string, string> = {};
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of recordFiles(getPortal())) {
    files[f.path] = f.key;
    const file = join(client, ...f.path.split('/').filter(Boolean));
    if (before[f.path] === f.key && existsSync(file)) {
      kept.push(f.path);
      continue;
    }
    writeWhole(file, f.render());
    written.push(f.path);
  }
  let removed = 0;
  for (const path of Object.keys(last?.outDir === out ? last.files : {})) {
    if (path in files) continue;
    const file = join(client, ...path.split('/').filter(Boolean));
    if (existsSync(file)) {
      rmSync(file);
      removed += 1;
      removeEmpty(dirname(file), client);
    }
  }
  mkdirSync(dirname(manifestFile), { recursive: true });
  writeWhole(manifestFile, JSON.stringify({ outDir: out, code, files } satisfies Manifest));
  return { written, kept, removed };
}

/** Runs the step into `outDir` for the adapter in ASTRO_ADAPTER and prints what it did (`list`: every file too). */
export function recordFilesStep(outDir: string | undefined, list = false): void {
  const target = process.env.ASTRO_ADAPTER === 'cloudflare' ? 'cloudflare' : 'node';
  const started = performance.now();
  const r = writeRecordFiles(outDir ?? (target === 'cloudflare' ? 'dist-worker' : 'dist'), recordManifestFile(target));
  if (list) {
    for (const path of r.written) console.log(`  ├─ ${path} (written)`);
    for (const path of r.kept) console.log(`  ├─ ${path} (kept)`);
  }
  console.log(`记录数据文件：写入 ${r.written.length} 个，沿用 ${r.kept.length} 个，删除 ${r.removed} 个，用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒。`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  // --list: every file with what was done to it, in the form of astro build's log (the incremental-build test reads both).
  recordFilesStep(args.find((a) => !a.startsWith('--')), args.includes('--list'));
}
