/**
 * What a build does before `astro build`, in one process so the content is loaded once (at 50,000
 * items loading it from the parse cache is ≈ 3.3 s, and three steps each loaded it):
 *
 *   1. the content check (scripts/check-content.ts): bad content stops the build here, every
 *      problem named by file and field, before anything is written;
 *   2. the open-data files and snapshots prepared in their cache (scripts/open-data.ts);
 *   3. the record pages' data files written into the site (scripts/record-files.ts): astro build
 *      keeps them (scripts/astro-build.ts reads their manifest), so they may come before it.
 *
 *   tsx scripts/prepare-site.ts [outDir]      # dist (dist-worker with ASTRO_ADAPTER=cloudflare)
 *
 * Each step stays a script of its own too (`npm run check:content`, …).
 */
import { checkContent, getPortal, type Portal } from '../src/content/portal.ts';
import { reportProblems } from './check-content.ts';
import { prepareStep } from './open-data.ts';
import { recordFilesStep } from './record-files.ts';

let portal: Portal;
try {
  // getPortal runs the same checks as the content check and refuses content with problems.
  portal = getPortal();
} catch (error) {
  const problems = checkContent();
  if (problems.length === 0) throw error;
  reportProblems(problems);
  process.exit(1);
}
reportProblems([]);
prepareStep(portal);
recordFilesStep(process.argv[2]);
