/**
 * The search page's fallback when the search API cannot be reached: loads the
 * Pagefind index built with the site and searches it the way the API would
 * (src/search/static-search.ts). Loaded only when needed: it brings the
 * Traditional/Simplified tables with it.
 */
import { staticSearch, type PagefindLike } from '../search/static-search.ts';

let pagefind: Promise<PagefindLike> | undefined;

export async function searchStatically(query: string) {
  // Pagefind exists only in the built site, so it is loaded by address at run time.
  const path = '/pagefind/pagefind.js';
  pagefind ??= import(/* @vite-ignore */ path) as Promise<PagefindLike>;
  return staticSearch(await pagefind, query);
}
