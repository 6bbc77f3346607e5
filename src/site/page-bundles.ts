/**
 * Record pages kept in bundles instead of one file each, for hosts that limit the number of static
 * files (Cloudflare Workers' free plan: 20,000 per version; at 50,000 items the item pages alone
 * are 150,000 files). `scripts/bundle-pages.ts` moves the files of record folders beyond a budget
 * (`/items/<id>/index.html`, `item.json`, `feed.xml`, …) into `/_pages/<section>/<n>.json`;
 * the on-demand routes `src/pages/<section>/[...path].ts` serve them from there, byte for byte.
 * Without bundling every page is a static file and those routes are never reached in Node (the
 * static file is served first); on Workers they pass static files through.
 */

/**
 * Sections whose record folders may be bundled, in the order they are bundled (a folder with
 * subfolders, such as a plan's with its groups or the paged index `p/`, stays as it is). At 50,000
 * items the pages other than items and units alone are about 24,000 files.
 */
export const BUNDLED_SECTIONS = ['items', 'units', 'sources', 'regions', 'plans'] as const;
export type BundledSection = (typeof BUNDLED_SECTIONS)[number];
/** Bundles per section: at 50,000 items about 100 items (≈ 2.5 MB) each, far below Workers' 25 MiB per file. */
export const BUNDLE_COUNT = 512;
/** Where the bundler records what it moved (for the benchmark and for Workers' run_worker_first). */
export const BUNDLE_MANIFEST = '/_pages/manifest.json';

/** A bundle: record id → file name in the record's folder → the file's text. */
export type Bundle = Record<string, Record<string, string>>;

/** FNV-1a: the same bucket in the bundler (Node) and the route (Node or workerd). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const bundlePath = (section: BundledSection, id: string) => `/_pages/${section}/${fnv1a(id) % BUNDLE_COUNT}.json`;

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `/items/<id>/` or `/items/<id>/<file>` → the record and the file name; anything else undefined. */
export function recordFile(section: BundledSection, pathname: string): { id: string; file: string } | undefined {
  const rest = pathname.startsWith(`/${section}/`) ? pathname.slice(section.length + 2) : undefined;
  if (rest === undefined) return undefined;
  const parts = rest.split('/');
  if (parts.at(-1) === '') parts.pop();
  const [id, file = 'index.html', ...more] = parts;
  if (!id || more.length || !ID.test(id) || !FILE.test(file) || file.includes('..')) return undefined;
  return { id, file };
}

export function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.json')) return 'application/json; charset=utf-8';
  if (file.endsWith('.xml')) return 'application/atom+xml; charset=utf-8';
  if (file.endsWith('.csv')) return 'text/csv; charset=utf-8';
  return 'application/octet-stream';
}

/** Reads a built static file by its site path, `/x/` meaning `/x/index.html` (Node: the client folder; Workers: ASSETS). */
export type ReadBuilt = (path: string) => Promise<string | undefined>;

/**
 * Answers a record page that is not a static file: the file itself when it is one (Workers run
 * the route before static assets), else its bundle's copy, else the site's 404 page.
 */
export async function servePage(section: BundledSection, pathname: string, read: ReadBuilt, headers: readonly [string, string][] = []): Promise<Response> {
  const ref = recordFile(section, pathname);
  if (ref) {
    // `/<id>/`, not `/<id>/index.html`: Workers' assets redirect the latter (html_handling).
    const own = await read(`/${section}/${ref.id}/${ref.file === 'index.html' ? '' : ref.file}`);
    const text = own ?? (await readBundle(section, ref.id, read))?.[ref.file];
    if (text !== undefined) {
      // Pages change only with a new build; a short public cache keeps repeat visits off the runtime.
      // `headers`: what the static file would have had (client/_headers on Workers).
      return new Response(text, { headers: [...headers, ['Content-Type', contentType(ref.file)], ['Cache-Control', 'public, max-age=300']] });
    }
  }
  // No body: Astro answers with the site's 404 page (in both adapters).
  return new Response(null, { status: 404 });
}

async function readBundle(section: BundledSection, id: string, read: ReadBuilt): Promise<Record<string, string> | undefined> {
  const text = await read(bundlePath(section, id));
  if (text === undefined) return undefined;
  return (JSON.parse(text) as Bundle)[id];
}
