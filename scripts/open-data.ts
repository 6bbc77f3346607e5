/**
 * The open-data files and their dated snapshots, written outside Astro (src/site/open-data-build.ts).
 *
 *   tsx scripts/open-data.ts                  before `astro build`: bring the parts, the joined files
 *                                             and published.json in the cache up to date (a change to
 *                                             one item writes its plan's parts again and joins the files)
 *   tsx scripts/open-data.ts write SITE_DIR   after `astro build`: put the files and the snapshot folders
 *                                             into SITE_DIR/data/ (dist/client, dist-worker/client)
 *
 * The cache is OPEN_DATA_CACHE_DIR (default .cache/open-data); kept snapshots come from SNAPSHOTS_DIR.
 */
import { getPortal, type Portal } from '../src/content/portal.ts';
import { openDataCacheDir, prepareOpenData, writeOpenData } from '../src/site/open-data-build.ts';

/** The prepare step on a loaded portal (also run by scripts/prepare-site.ts, which loads it once for three steps). */
export function prepareStep(portal: Portal): void {
  const started = performance.now();
  const published = prepareOpenData(portal, { log: (line) => console.log(line) });
  const mb = Object.values(published.files).reduce((n, f) => n + f.bytes, 0) / 1024 / 1024;
  console.log(`开放数据：${Object.keys(published.files).length} 个文件共 ${mb.toFixed(1)} MB，${published.snapshots.length} 个快照（${openDataCacheDir()}），用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒。`);
  if (published.note) console.log(published.note);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, siteDir] = process.argv.slice(2);
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  if (command === 'write') {
    if (!siteDir) {
      console.error('用法：tsx scripts/open-data.ts [write SITE_DIR]');
      process.exit(2);
    }
    const { placed, removed } = writeOpenData(siteDir);
    console.log(`开放数据：${placed} 个文件放入 ${siteDir}/data/（删除不再发布的 ${removed} 个），用时 ${seconds()} 秒。`);
  } else if (command === undefined) {
    prepareStep(getPortal());
  } else {
    console.error('用法：tsx scripts/open-data.ts [write SITE_DIR]');
    process.exit(2);
  }
}
