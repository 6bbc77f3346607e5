/**
 * The framework's floor for the scale benchmark: a minimal Astro project with N trivial pages
 * (one short Chinese paragraph each, `lang="zh-CN"` so Pagefind segments Chinese as it does for the
 * portal), built with the same Astro and indexed with the same Pagefind. Its time and memory are
 * what any Astro + Pagefind site of N pages costs on this machine; the portal's are reported as a
 * ratio of them (bench/scale/build.ts).
 *
 *   tsx bench/scale/floor.ts N DIR    # writes DIR/astro.config.mjs and DIR/src/pages/…
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeFloorProject(n: number, dir: string): void {
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  mkdirSync(join(dir, 'src/pages/p'), { recursive: true });
  // Static output, no adapter: the floor is the framework alone.
  writeFileSync(join(dir, 'astro.config.mjs'), `import { defineConfig } from 'astro/config';\nexport default defineConfig({ build: { format: 'directory' }, devToolbar: { enabled: false } });\n`);
  writeFileSync(
    join(dir, 'src/pages/p/[id].astro'),
    `---
export function getStaticPaths() {
  return Array.from({ length: ${n} }, (_, i) => ({ params: { id: String(i + 1) } }));
}
const { id } = Astro.params;
---
<!doctype html>
<html lang="zh-CN">
  <head><meta charset="utf-8" /><title>第 {id} 页</title></head>
  <body><main><h1>第 {id} 页</h1><p>这是用于测量框架开销的第 {id} 个页面：整改措施按期完成，污水处理厂提标改造。</p></main></body>
</html>
`,
  );
  writeFileSync(join(dir, 'src/pages/index.astro'), `<html lang="zh-CN"><head><meta charset="utf-8" /><title>首页</title></head><body><main><h1>首页</h1></main></body></html>\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, dir] = process.argv.slice(2);
  writeFloorProject(Number(n), dir!);
}
