/**
 * The content check: validates every content file and every cross-reference.
 * Run by `npm run build` before Astro, so bad content fails the build with a
 * message naming the file and the field.
 */
import { checkContent } from '../src/content/portal.ts';

const problems = checkContent();
if (problems.length) {
  console.error(`内容检查发现 ${problems.length} 个问题：`);
  for (const p of problems) console.error(`  ${p.file}${p.field ? ` › ${p.field}` : ''}：${p.message}`);
  process.exit(1);
}
console.log('内容检查通过。');
