/**
 * Keeps a built site under a budget of static files (Cloudflare Workers' free plan allows 20,000
 * per version, paid plans 100,000): record folders (`/items/<id>/`, then `/units/<id>/`) beyond the
 * budget are moved, file by file and byte for byte, into `/_pages/<section>/<n>.json` bundles
 * (src/site/page-bundles.ts); `src/pages/<section>/[...path].astro` serves them on demand at their
 * usual addresses. The first records (in id order) stay static files. Run after Pagefind, which
 * indexes the pages while they are still files (its fragments are bundled with --max-fragments).
 *
 *   tsx scripts/bundle-pages.ts dist-worker --max-files 20000
 *   MAX_STATIC_FILES=20000 npm run build:worker     # the same, as the last step of the build
 *
 * With a Worker build (DIR/server/wrangler.json present), the bundled sections are added to its
 * run_worker_first, so Workers pass those addresses to the route instead of answering 404.
 * Nothing happens when the site is already within the budget.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_MANIFEST, BUNDLED_SECTIONS, bundlePath, type Bundle, type BundledSection } from '../src/site/page-bundles.ts';
import { countFiles } from './count-files.ts';

export interface BundleReport {
  filesBefore: number;
  filesAfter: number;
  /** Records moved into bundles, per section. */
  moved: Record<string, number>;
  bundles: number;
}


/** Files of a record folder, by their path inside it (`index.html`, `item.json`, …); null if it has subfolders. */
function recordFiles(dir: string): string[] | null {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory())) return null;
  return entries.map((e) => e.name).sort();
}

export function bundlePages(clientDir: string, maxFiles: number): BundleReport {
  const filesBefore = countFiles(clientDir);
  const report: BundleReport = { filesBefore, filesAfter: filesBefore, moved: {}, bundles: 0 };
  if (filesBefore <= maxFiles) return report;
  let files = filesBefore + 1; // + the manifest
  // First choose what moves (counting files only), then write one bundle at a time: holding every
  // bundle at once took 3.1 GB at 50,000 items.
  const chosen = new Map<string, { section: string; id: string; dir: string; names: string[] }[]>();
  for (const section of BUNDLED_SECTIONS) {
    const root = join(clientDir, section);
    if (!existsSync(root)) continue;
    const ids = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    let moved = 0;
    // The last records first: the first ones (in id order) stay static files.
    for (let k = ids.length - 1; k >= 0 && files > maxFiles; k--) {
      const id = ids[k]!;
      const dir = join(root, id);
      const names = recordFiles(dir);
      if (!names) continue;
      const path = bundlePath(section as BundledSection, id);
      let list = chosen.get(path);
      if (!list) {
        list = [];
        chosen.set(path, list);
        if (!existsSync(join(clientDir, path))) files += 1;
      }
      list.push({ section, id, dir, names });
      files -= names.length;
      moved += 1;
    }
    report.moved[section] = moved;
  }
  for (const [path, records] of chosen) {
    const file = join(clientDir, path);
    // A bundle an earlier run wrote (to a larger budget) is added to, not replaced.
    const bundle: Bundle = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Bundle) : {};
    for (const r of records) bundle[r.id] = Object.fromEntries(r.names.map((n) => [n, readFileSync(join(r.dir, n), 'utf8')]));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(bundle));
    // Removed only once their bundle is written.
    for (const r of records) rmSync(r.dir, { recursive: true });
  }
  report.bundles = existsSync(join(clientDir, '_pages')) ? BUNDLED_SECTIONS.reduce((n, sec) => n + (existsSync(join(clientDir, '_pages', sec)) ? readdirSync(join(clientDir, '_pages', sec)).length : 0), 0) : 0;
  writeFileSync(join(clientDir, BUNDLE_MANIFEST), `${JSON.stringify({ maxFiles, moved: report.moved, bundles: report.bundles }, null, 2)}\n`);
  report.filesAfter = countFiles(clientDir);
  return report;
}

/** Workers answer static assets first: bundled sections must run the Worker (wrangler.json the adapter wrote). */
export function routeBundledSections(outDir: string, report: BundleReport): void {
  const config = join(outDir, 'server', 'wrangler.json');
  if (!existsSync(config)) return;
  const json = JSON.parse(readFileSync(config, 'utf8')) as { assets?: { run_worker_first?: string[] | boolean } };
  const first = Array.isArray(json.assets?.run_worker_first) ? json.assets.run_worker_first : [];
  for (const [section, n] of Object.entries(report.moved)) if (n > 0 && !first.includes(`/${section}/*`)) first.push(`/${section}/*`);
  json.assets = { ...json.assets, run_worker_first: first };
  writeFileSync(config, `${JSON.stringify(json, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--max-files');
  const max = Number(at >= 0 ? args[at + 1] : process.env.MAX_STATIC_FILES);
  const outDir = args.find((a, i) => !a.startsWith('--') && i !== at + 1) ?? 'dist';
  // No budget (the default `npm run build`): every page stays a static file.
  if (at < 0 && !process.env.MAX_STATIC_FILES) process.exit(0);
  if (!Number.isSafeInteger(max) || max < 1) {
    console.error('用法：tsx scripts/bundle-pages.ts <构建目录> --max-files <文件数上限>（或设置 MAX_STATIC_FILES）');
    process.exit(2);
  }
  const client = join(outDir, 'client');
  const r = bundlePages(client, max);
  routeBundledSections(outDir, r);
  const moved = Object.entries(r.moved).map(([s, n]) => `/${s}/ ${n} 个`).join('、');
  console.log(r.filesBefore <= max
    ? `静态文件 ${r.filesBefore} 个，未超过 ${max} 个，无需打包。`
    : `静态文件 ${r.filesBefore} → ${r.filesAfter} 个（上限 ${max}）：${moved}记录的页面移入 ${r.bundles} 个包，按需读取。`);
  if (r.filesAfter > max) {
    console.error(`打包后仍有 ${r.filesAfter} 个文件，超过上限 ${max}。`);
    process.exit(1);
  }
}
