/**
 * What the search page shows, as data: the facets with their links, the filters in force, the
 * pager, the downloads and the status line, all derived from the page's address and the search
 * answer. Framework-free: the page rendered on the server (src/pages/search/index.astro) and its
 * script (src/scripts/search.ts, when it has to search in the browser) draw the same model.
 */
import type { FacetCount, SearchHit, SearchResponse } from './index-store.ts';

/** Filters of the API, in the order the page lists their facets; `year` sets `from` and `to`. */
export const DIMENSIONS = [
  ['kind', '类型'],
  ['status', '整改状态'],
  ['region', '地区'],
  ['unit', '责任单位'],
  ['inspection', '督察'],
  ['plan', '整改方案'],
  ['topic', '主题'],
  ['pollution', '污染类型'],
  ['year', '年份'],
] as const;
export type Dimension = (typeof DIMENSIONS)[number][0];
export const LIST_FILTERS = DIMENSIONS.map(([d]) => d).filter((d) => d !== 'year');
/** Facet values shown before "more" (the rest stay in the page, folded away). */
export const SHOWN_VALUES = 8;

/** The page's address with some parameters changed (null removes one); always back to page 1 unless given. */
export function linkTo(params: URLSearchParams, changes: Record<string, string | readonly string[] | null>): string {
  const next = new URLSearchParams(params);
  next.delete('page');
  for (const [name, value] of Object.entries(changes)) {
    next.delete(name);
    if (value === null) continue;
    for (const v of typeof value === 'string' ? [value] : value) next.append(name, v);
  }
  return `/search/?${next.toString()}`;
}

/** Values of a list filter, repeated or comma-separated (as the API reads them). */
export function selected(params: URLSearchParams, name: string): string[] {
  return params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * Whether any filter is in force: a value given, not just the name (`?unit=` filters nothing).
 * With one, the page lists records even without a query.
 */
export const isFiltered = (params: URLSearchParams) =>
  LIST_FILTERS.some((d) => selected(params, d).length > 0) || !!params.get('from')?.trim() || !!params.get('to')?.trim();

/**
 * A plan's title as a book title, 《…》, with book-title marks inside it turned into 〈〉
 * (as `bookTitle` in src/site/format.ts, which this browser-side module does not import).
 */
export const planName = (title: string) => `《${title.replaceAll('《', '〈').replaceAll('》', '〉')}》`;

/** What goes before a result's own title: its plan (第6项 alone does not say which plan), or nothing. */
export const titlePrefix = (hit: Pick<SearchHit, 'plan'>) => (hit.plan ? planName(hit.plan.title) : '');

export interface FacetLink {
  label: string;
  count: number;
  /** The count as shown: `≥ 12` when counts cover only the first matches (`facetsExact` false). */
  countText: string;
  href: string;
  /** The value is a filter in force: its link removes it. */
  on: boolean;
}
export interface FacetGroup {
  dimension: Dimension;
  label: string;
  shown: FacetLink[];
  /** Folded away behind "其余 N 项". */
  more: FacetLink[];
}

/** Each facet with counts, as links that add or remove its value; `exact` false marks every count "at least". */
export function facetGroups(params: URLSearchParams, facets: SearchResponse['facets'], exact = true): FacetGroup[] {
  const groups: FacetGroup[] = [];
  for (const [dimension, label] of DIMENSIONS) {
    const counts: FacetCount[] = facets[dimension as Dimension] ?? [];
    if (!counts.length) continue;
    const chosen = dimension === 'year' ? [params.get('from') ?? ''].filter((y) => y && y === params.get('to')) : selected(params, dimension);
    const ordered = dimension === 'year' ? [...counts].sort((a, b) => b.value.localeCompare(a.value)) : counts;
    const link = (f: FacetCount): FacetLink => {
      const on = chosen.includes(f.value);
      const href =
        dimension === 'year'
          ? linkTo(params, on ? { from: null, to: null } : { from: f.value, to: f.value })
          : linkTo(params, { [dimension]: on ? chosen.filter((v) => v !== f.value) : [...chosen, f.value] });
      return { label: f.label ?? f.value, count: f.count, countText: exact ? String(f.count) : `≥ ${f.count}`, href, on };
    };
    groups.push({ dimension, label, shown: ordered.slice(0, SHOWN_VALUES).map(link), more: ordered.slice(SHOWN_VALUES).map(link) });
  }
  return groups;
}

/** The filters in force, each with a link that removes it. */
export function appliedFilters(params: URLSearchParams, facets: SearchResponse['facets'] | undefined): { text: string; href: string }[] {
  const chips: { text: string; href: string }[] = [];
  const labelOf = (dimension: Dimension, value: string) => facets?.[dimension]?.find((f) => f.value === value)?.label ?? value;
  for (const [dimension, label] of DIMENSIONS) {
    if (dimension === 'year') continue;
    for (const value of selected(params, dimension)) {
      chips.push({ text: `${label}：${labelOf(dimension, value)} ×`, href: linkTo(params, { [dimension]: selected(params, dimension).filter((v) => v !== value) }) });
    }
  }
  const from = params.get('from');
  const to = params.get('to');
  if (from || to) chips.push({ text: `年份：${from === to ? from : `${from ?? '…'}—${to ?? '…'}`} ×`, href: linkTo(params, { from: null, to: null }) });
  return chips;
}

/** Previous and next page links; undefined when everything fits on one page. */
export function pager(params: URLSearchParams, r: Pick<SearchResponse, 'total' | 'page' | 'pageSize'>) {
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  if (pages === 1) return undefined;
  const at = (page: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(page));
    return `/search/?${next.toString()}`;
  };
  return { page: r.page, pages, prev: r.page > 1 ? at(r.page - 1) : undefined, next: r.page < pages ? at(r.page + 1) : undefined };
}

/** The API addresses that download the same results. */
export function downloads(params: URLSearchParams): { csv: string; json: string } {
  const api = new URLSearchParams(params);
  api.delete('page');
  api.delete('pageSize');
  const csv = new URLSearchParams(api);
  csv.set('format', 'csv');
  api.set('pageSize', '100');
  return { csv: `/api/search?${csv.toString()}`, json: `/api/search?${api.toString()}` };
}

/**
 * Under the facets when their counts cover only the first matches: each count is then a lower
 * bound. Undefined when the counts are exact.
 */
export function facetsNote(r: Pick<SearchResponse, 'total' | 'facetsExact'> & { totalExact?: boolean }): string | undefined {
  if (r.facetsExact !== false) return undefined;
  // The total is exact, but a filtered dimension (counted without its filter) had more matches than were counted.
  if (r.totalExact === true) return '不加筛选时匹配的记录较多，已筛选的各项计数只统计了其中一部分，“≥”表示实际数量不少于此数。';
  return `匹配的记录较多，各项计数只统计了前 ${r.total} 条，“≥”表示实际数量不少于此数。`;
}

/**
 * The status line above the results; a listing without a query says how it is ordered. Above
 * the count limit the total is a lower bound (`totalExact` false), and says so.
 */
export function statusLine(r: Pick<SearchResponse, 'total' | 'page' | 'pageSize' | 'query'> & { totalExact?: boolean }, filtered: boolean): string {
  const from = (r.page - 1) * r.pageSize;
  const shown = `显示第 ${from + 1}—${Math.min(from + r.pageSize, r.totalExact === false ? Infinity : r.total)} 条`;
  if (r.totalExact === false) {
    return r.query ? `找到超过 ${r.total} 条记录，${shown}。` : `符合所选条件的记录超过 ${r.total} 条，${shown}（未输入搜索词，按类型、所属方案和编号排列）。`;
  }
  if (!r.query) {
    return r.total
      ? `符合所选条件的记录共 ${r.total} 条${r.total > r.pageSize ? `，显示第 ${from + 1}—${Math.min(from + r.pageSize, r.total)} 条` : ''}（未输入搜索词，按类型、所属方案和编号排列）。`
      : '没有符合所选条件的记录，可以取消部分筛选条件再试。';
  }
  return r.total
    ? `找到 ${r.total} 条记录${r.total > r.pageSize ? `，显示第 ${from + 1}—${Math.min(from + r.pageSize, r.total)} 条` : ''}。`
    : `没有找到包含“${r.query}”的记录${filtered ? '，可以取消部分筛选条件再试' : ''}。`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

/**
 * The text of a title or passage as the search returns it (escaped text with <mark>), as
 * segments: text, and whether it is highlighted. Anything but <mark> is dropped; the text is
 * decoded, to be escaped again by whoever draws it.
 */
export function markedSegments(html: string): { text: string; marked: boolean }[] {
  const out: { text: string; marked: boolean }[] = [];
  let marked = false;
  for (const part of html.split(/(<\/?mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else {
      const text = part.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ENTITIES[e]!);
      if (text) out.push({ text, marked });
    }
  }
  return out;
}
