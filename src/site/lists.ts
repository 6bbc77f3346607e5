/**
 * Long lists on static pages: a page shows the first rows and links to the rest, so no page grows
 * with the whole country (at 50,000 items /regions/china/ was 20.8 MB). The rest is one click
 * away: the search page lists any facet's records without a query (`/search/?kind=item&region=…`,
 * paged, with CSV/JSON), and each page's own items.csv / items.json hold every row.
 */
import { urls } from './urls.ts';

/** Rows an item table shows on a page; about 80 KB of HTML. */
export const LIST_LIMIT = 100;
/** Rows each list of 近期到期 / 新近逾期 shows. */
export const TIME_LIST_LIMIT = 50;

export type ListFilter = 'region' | 'unit' | 'plan' | 'topic' | 'inspection';

/** The search page listing every item of one facet value (no query needed). */
export function searchItemsBy(filter: ListFilter, value: string): string {
  return `${urls.search()}?${new URLSearchParams({ kind: 'item', [filter]: value }).toString()}`;
}

/** Rows of an index page (units, regions, sources, inspections): about 100–250 KB of HTML a page. */
export const INDEX_PAGE_SIZE = { units: 300, regions: 300, sources: 150, inspections: 20 } as const;
export type IndexName = keyof typeof INDEX_PAGE_SIZE;

/** Page 1 is the index itself (`/units/`), later pages `/units/p/2/`. */
export const indexPage = (name: IndexName, page: number) => (page <= 1 ? `/${name}/` : `/${name}/p/${page}/`);

export function pageCount(name: IndexName, rows: number): number {
  return Math.max(1, Math.ceil(rows / INDEX_PAGE_SIZE[name]));
}

/** Static paths of pages 2… of an index (`src/pages/<name>/p/[page].astro`). */
export function laterPages(name: IndexName, rows: number) {
  const pages = pageCount(name, rows);
  return Array.from({ length: pages - 1 }, (_, k) => ({ params: { page: String(k + 2) }, props: { page: k + 2 } }));
}

/** One page's slice of the rows and what the Pager needs. */
export function pageOf<T>(name: IndexName, rows: readonly T[], page: number) {
  const size = INDEX_PAGE_SIZE[name];
  const pages = pageCount(name, rows.length);
  return {
    rows: rows.slice((page - 1) * size, page * size),
    pager: { page, pages, prev: page > 1 ? indexPage(name, page - 1) : undefined, next: page < pages ? indexPage(name, page + 1) : undefined },
  };
}

const sourcePages = new WeakMap<readonly { id: string }[], Map<string, number>>();

/** A source's entry on its page of /sources/ (the register is paged at scale). */
export function sourceEntry(sources: readonly { id: string }[], id: string): string {
  let pages = sourcePages.get(sources);
  if (!pages) {
    pages = new Map(sources.map((s, k) => [s.id, Math.floor(k / INDEX_PAGE_SIZE.sources) + 1]));
    sourcePages.set(sources, pages);
  }
  return `${indexPage('sources', pages.get(id) ?? 1)}#${id}`;
}
