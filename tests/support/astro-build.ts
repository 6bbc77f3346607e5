/**
 * A build as `npm run build` makes it (the open-data step before and after; scripts/astro-build.ts:
 * into a kept output folder, then what the build no longer makes removed; then scripts/record-files.ts),
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
import { writeRecordFiles } from '../../scripts/record-files.ts';
import { recordManifestFile } from '../../scripts/record-manifest.ts';
import { getPortal } from '../../src/content/portal.ts';
import { prepareOpenData, writeOpenData } from '../../src/site/open-data-build.ts';

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
// The open-data step around astro build, as `npm run build` runs it (scripts/open-data.ts).
prepareOpenData(getPortal(), { log: console.log });
const removed = await keptBuild(resolve(outDir), 'node', async (force) => {
  await build({ outDir, force, vite: { plugins } });
  return true;
});
writeOpenData(join(outDir, 'client'));
console.log(`removed ${removed} files`);
// Then the record pages' data files, as `npm run build` writes them, in the log's form (`(written)` / `(kept)`).
const records = writeRecordFiles(outDir, recordManifestFile('node'));
for (const path of records.written) console.log(`  ├─ ${path} (written)`);
for (const path of records.kept) console.log(`  ├─ ${path} (kept)`);
console.log(`record files: ${records.written.length} written, ${records.kept.length} kept, ${records.removed} removed`);
