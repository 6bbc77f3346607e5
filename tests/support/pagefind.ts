/**
 * Loads the built Pagefind index (dist/client/pagefind/pagefind.js) in Node, as the
 * browser would: a fetch that reads file: URLs, and a document whose <html>
 * answers the page language (Pagefind segments Chinese only for zh pages).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

export interface PagefindApi {
  search: (q: string) => Promise<{ results: { data: () => Promise<{ url: string; excerpt: string; meta: { title?: string } }> }[] }>;
}

export async function loadPagefind(dist = 'dist/client'): Promise<PagefindApi> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) {
      const body = await readFile(fileURLToPath(url));
      const type = url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
      return new Response(body, { headers: { 'Content-Type': type } });
    }
    return realFetch(input, init);
  }) as typeof fetch;
  const html = { getAttribute: (name: string) => (name === 'lang' ? 'zh-CN' : null) };
  (globalThis as { document?: unknown }).document ??= { currentScript: null, querySelector: (sel: string) => (sel === 'html' ? html : null) };
  const mod = (await import(pathToFileURL(resolve(dist, 'pagefind/pagefind.js')).href)) as PagefindApi & {
    init: () => Promise<void>;
    options: (o: { baseUrl: string }) => Promise<void>;
  };
  // Result URLs as the site serves them, not file paths.
  await mod.options({ baseUrl: '/' });
  await mod.init();
  return mod;
}

/** Result URLs for a query, in rank order. */
export async function pagefindUrls(pagefind: PagefindApi, q: string): Promise<string[]> {
  const { results } = await pagefind.search(q);
  return Promise.all(results.map(async (r) => (await r.data()).url));
}
