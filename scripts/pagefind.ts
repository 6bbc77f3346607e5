/**
 * The static search index (Pagefind), the search page's fallback when the server cannot search.
 * Built only while the site fits the build's memory budget: Pagefind's Chinese segmentation keeps
 * about 0.5 MB per item page in memory (measured with pagefind 1.6: 384 item pages 217 MB, 10,000
 * item pages past 6 GB), so at a country's scale (50,000 items ≈ 25 GB) it cannot run in 2 GB.
 * Above PAGEFIND_MAX_PAGES HTML pages (default 3,000, ≈ 1.5 GB) no static index is built and any
 * old one is removed: search is the server's (the search API, FTS5), and the page's script says
 * search is unavailable when the API is too. Fragments are bundled above 2,000 pages.
 *
 *   tsx scripts/pagefind.ts dist/client
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { countHtml } from './count-files.ts';

export const PAGEFIND_MAX_PAGES = Number(process.env.PAGEFIND_MAX_PAGES ?? 3000);
const MAX_FRAGMENTS = 2000;


const site = process.argv[2] ?? 'dist/client';
const pages = countHtml(site);
rmSync(join(site, 'pagefind'), { recursive: true, force: true });
if (pages > PAGEFIND_MAX_PAGES) {
  console.log(`静态搜索索引：站点有 ${pages} 个页面，超过 ${PAGEFIND_MAX_PAGES} 个（PAGEFIND_MAX_PAGES），不生成 Pagefind 索引；搜索由服务器的检索接口提供。`);
  process.exit(0);
}
const run = spawnSync(join('node_modules', '.bin', 'pagefind'), ['--site', site, '--quiet', '--max-fragments', String(MAX_FRAGMENTS)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
