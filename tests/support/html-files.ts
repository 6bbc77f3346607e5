/** Every HTML file of a built site below `dir` (the Pagefind index left out). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'pagefind' ? [] : htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}
