/** Counting the files of a built site (the file budget, Pagefind's page limit, the scale benchmark). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How many files below `dir` (every level) have a name `wanted` accepts (all by default). */
export function countFiles(dir: string, wanted: (name: string) => boolean = () => true): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name), wanted) : wanted(e.name) ? 1 : 0;
  return n;
}

/** How many HTML pages below `dir`. */
export const countHtml = (dir: string) => countFiles(dir, (name) => name.endsWith('.html'));
