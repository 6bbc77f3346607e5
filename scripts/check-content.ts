/**
 * The content check: validates every content file and every cross-reference.
 * Run by `npm run build` before Astro, so bad content fails the build with a
 * message naming the file and the field.
 */
import { checkContent } from '../src/content/portal.ts';
import type { ContentProblem } from '../src/content/load.ts';

/** Prints the problems, each naming file and field; exits 1 when there are any. */
export function reportProblems(problems: readonly ContentProblem[]): void {
  if (problems.length) {
    console.error(`内容检查发现 ${problems.length} 个问题：`);
    for (const p of problems) console.error(`  ${p.file}${p.field ? ` › ${p.field}` : ''}：${p.message}`);
    process.exit(1);
  }
  console.log('内容检查通过。');
}

if (import.meta.url === `file://${process.argv[1]}`) reportProblems(checkContent());
