/**
 * The digest of the code that decides the bytes of what the build keeps between runs (the parts of
 * open data, the per-plan parts, the record data files): the read model, the rules, the writers,
 * and the locked package versions (a new csv-stringify could write other bytes). One definition
 * for every cache, so none of them misses a folder another one counts. Paths are project-relative:
 * the same code in another checkout gives the same digest.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Not src/search: nothing these caches write imports it (the search index has its own digests), so a
// change to ranking does not rewrite the site's data files.
const CODE = ['src/content', 'src/domain', 'src/model', 'src/site', 'src/text', 'package-lock.json'];

const digests = new Map<string, string | null>();
/** That digest, read once per process; null when the source is not there (code run from a bundle elsewhere): then nothing may be reused. */
export function codeDigest(root = process.cwd()): string | null {
  const known = digests.get(root);
  if (known !== undefined) return known;
  const h = createHash('sha256');
  let complete = true;
  const walk = (path: string) => {
    const at = join(root, path);
    if (!existsSync(at)) {
      complete = false;
      return;
    }
    if (statSync(at).isDirectory()) for (const name of readdirSync(at).sort()) walk(join(path, name));
    else if (/\.(ts|mjs|js|json)$/.test(path)) h.update(`${path}\0`).update(readFileSync(at)).update('\0');
  };
  for (const c of CODE) walk(c);
  const digest = complete ? h.digest('hex') : null;
  digests.set(root, digest);
  return digest;
}
