/**
 * A build as `npm run build` makes it (before it, open data prepared and the record data files, as
 * scripts/prepare-site.ts does; scripts/astro-build.ts:
 * into a kept output folder, then what the build no longer makes removed; then open data put in),
 * with one module's code changed on its way into the bundle, for
 * tests/build/incremental.test.ts: a code or layout change made without editing the checkout (other
 * processes read it). Astro's incremental build hashes the code of each page's module graph, so every
 * page importing the module must be rendered again.
 *
 *   tsx tests/support/astro-build.ts <outDir> [<module path suffix to change>]
 */
import { join, resolve } from 'node:path';
import { build } from 'astro';
import { keptBuild } from '../../scripts/astro-build.ts';
import { prepareStep } from '../../scripts/open-data.ts';
import { recordFilesStep } from '../../scripts/record-files.ts';
import { getPortal } from '../../src/content/portal.ts';
import { writeOpenData } from '../../src/site/open-data-build.ts';

const [outDir = 'dist', touch] = process.argv.slice(2);
const plugins = touch
  ? [{
      name: 'test-change-module',
      enforce: 'post' as const,
      transform(code: string, id: string) {
        if (id.split('?')[0]!.endsWith(touch)) return `${code}\n;globalThis.__changedForTest = 1;\n`;
        return undefined;
      },
    }]
  : [];
// Before astro build, as `npm run build` runs it (scripts/prepare-site.ts): open data prepared, and
// the record pages' data files written, each listed in the log's form (`(written)` / `(kept)`).
prepareStep(getPortal());
recordFilesStep(outDir, true);
const removed = await keptBuild(resolve(outDir), 'node', async (force) => {
  await build({ outDir, force, vite: { plugins } });
  return true;
});
writeOpenData(join(outDir, 'client'));
console.log(`removed ${removed} files`);
