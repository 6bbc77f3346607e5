// @ts-check
/**
 * Where Astro keeps its incremental-build cache (astro.config.mjs `cacheDir`; read by
 * scripts/astro-build.ts): ASTRO_CACHE_DIR, else one folder per adapter and content folder under
 * .cache/ (outside node_modules, whose files are hard links shared with other checkouts), so builds
 * of other content (CONTENT_DIR: bench/scale/, test fixtures) do not take turns overwriting it.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** @param {'node' | 'cloudflare'} target */
export function astroCacheDir(target) {
  if (process.env.ASTRO_CACHE_DIR) return process.env.ASTRO_CACHE_DIR.replace(/\/?$/, '/');
  const content = process.env.CONTENT_DIR ? `-${createHash('sha1').update(resolve(process.env.CONTENT_DIR)).digest('hex').slice(0, 12)}` : '';
  return `./.cache/astro-${target}${content}/`;
}
