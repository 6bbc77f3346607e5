/**
 * The search page (src/pages/search/index.astro).
 *
 * Everything the page shows is in its address (`?q=…&region=…&page=2`), so a
 * search can be bookmarked, shared and gone back to; facets, filters and pages
 * are plain links. The page asks the search API first. When the API cannot be
 * reached — the site is hosted statically, opened offline, or the API is down —
 * it falls back to the Pagefind index built with the site (loaded on demand,
 * with the query folding it needs; see src/search/static-search.ts). A query
 * the API refuses (too long, nothing searchable) is shown as an error, not
 * retried elsewhere.
 *
 * Result titles and passages come as HTML from the API (escaped text with
 * <mark>) or from Pagefind; `markedText` keeps only their text and <mark>.
 */
import type { FacetCount, SearchHit, SearchResponse } from '../search/index-store.ts';

/** Filters of the API, in the order the page lists their facets; `year` sets `from` and `to`. */
const DIMENSIONS = [
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
type Dimension = (typeof DIMENSIONS)[number][0];
const LIST_FILTERS = DIMENSIONS.map(([d]) => d).filter((d) => d !== 'year');
/** Facet values shown before "more" (the rest stay in the page, folded away). */
const SHOWN_VALUES = 8;
const API_TIMEOUT_MS = 8000;

interface ApiError {
  error: { code: string; message: string; fields?: Record<string, string> };
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The text and <mark> elements of an HTML fragment, nothing else (no tags, attributes or scripts survive). */
export function markedText(html: string): DocumentFragment {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html').body;
  const out = document.createDocumentFragment();
  const copy = (from: Node, to: Node) => {
    for (const child of from.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) to.appendChild(document.createTextNode(child.textContent ?? ''));
      else if (child.nodeName === 'MARK') copy(child, to.appendChild(document.createElement('mark')));
      else copy(child, to);
    }
  };
  copy(parsed, out);
  return out;
}

/** The page's address with some parameters changed (null removes one); always back to page 1 unless given. */
function linkTo(params: URLSearchParams, changes: Record<string, string | readonly string[] | null>): string {
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
function selected(params: URLSearchParams, name: string): string[] {
  return params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function renderFacets(params: URLSearchParams, facets: SearchResponse['facets']) {
  const container = $('search-facets');
  const nav = el('nav', { className: 'facets' });
  nav.setAttribute('aria-label', '按条件筛选');
  nav.append(el('h2', { className: 'facets-title' }, '筛选'));
  for (const [dimension, label] of DIMENSIONS) {
    const counts: FacetCount[] = facets[dimension as Dimension] ?? [];
    if (!counts.length) continue;
    const chosen = dimension === 'year' ? [params.get('from') ?? ''].filter((y) => y && y === params.get('to')) : selected(params, dimension);
    const ordered = dimension === 'year' ? [...counts].sort((a, b) => b.value.localeCompare(a.value)) : counts;
    const item = (f: FacetCount) => {
      const on = chosen.includes(f.value);
      const href =
        dimension === 'year'
          ? linkTo(params, on ? { from: null, to: null } : { from: f.value, to: f.value })
          : linkTo(params, { [dimension]: on ? chosen.filter((v) => v !== f.value) : [...chosen, f.value] });
      const a = el('a', { href }, f.label ?? f.value);
      if (on) a.setAttribute('aria-current', 'true');
      return el('li', { className: on ? 'facet-on' : '' }, a, ` (${f.count})`, on ? el('span', { className: 'visually-hidden' }, '，已选，点击取消') : '');
    };
    const group = el('section', { className: 'facet' }, el('h3', {}, label));
    group.append(el('ul', {}, ...ordered.slice(0, SHOWN_VALUES).map(item)));
    if (ordered.length > SHOWN_VALUES) {
      group.append(el('details', {}, el('summary', {}, `其余 ${ordered.length - SHOWN_VALUES} 项`), el('ul', {}, ...ordered.slice(SHOWN_VALUES).map(item))));
    }
    nav.append(group);
  }
  container.replaceChildren(nav);
}

/** The filters in force, each with a link that removes it. */
function renderApplied(params: URLSearchParams, facets: SearchResponse['facets'] | undefined) {
  const parts: (Node | string)[] = [];
  const labelOf = (dimension: Dimension, value: string) => facets?.[dimension]?.find((f) => f.value === value)?.label ?? value;
  for (const [dimension, label] of DIMENSIONS) {
    if (dimension === 'year') continue;
    for (const value of selected(params, dimension)) {
      parts.push(el('a', { href: linkTo(params, { [dimension]: selected(params, dimension).filter((v) => v !== value) }), className: 'chip' }, `${label}：${labelOf(dimension, value)} ×`));
    }
  }
  const from = params.get('from');
  const to = params.get('to');
  if (from || to) parts.push(el('a', { href: linkTo(params, { from: null, to: null }), className: 'chip' }, `年份：${from === to ? from : `${from ?? '…'}—${to ?? '…'}`} ×`));
  if (!parts.length) return $('search-applied').replaceChildren();
  $('search-applied').replaceChildren('已选条件（点击取消）：', ...parts.flatMap((p, i) => (i ? ['、', p] : [p])));
}

function renderHits(hits: SearchHit[]) {
  $('search-results').replaceChildren(
    ...hits.map((hit) => {
      const heading = el('h2', { className: 'result-title' }, el('a', { href: hit.url }, markedText(hit.titleHtml)));
      const meta = el('p', { className: 'result-meta' }, el('span', { className: 'badge' }, hit.kindLabel), hit.date ? ` ${hit.date}` : '');
      const passages = hit.snippets.map((s) => el('p', { className: 'result-snippet' }, el('span', { className: 'muted' }, `${s.label}：`), markedText(s.html)));
      return el('li', {}, heading, meta, ...passages);
    }),
  );
}

function renderPager(params: URLSearchParams, r: SearchResponse) {
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  if (pages === 1) return $('search-pager').replaceChildren();
  const at = (page: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(page));
    return `/search/?${next.toString()}`;
  };
  const parts: (Node | string)[] = [];
  if (r.page > 1) parts.push(el('a', { href: at(r.page - 1), rel: 'prev' }, '上一页'));
  parts.push(` 第 ${r.page} 页，共 ${pages} 页 `);
  if (r.page < pages) parts.push(el('a', { href: at(r.page + 1), rel: 'next' }, '下一页'));
  $('search-pager').replaceChildren(el('p', {}, ...parts));
}

function renderDownloads(params: URLSearchParams) {
  const api = new URLSearchParams(params);
  api.delete('page');
  api.delete('pageSize');
  const csv = new URLSearchParams(api);
  csv.set('format', 'csv');
  api.set('pageSize', '100');
  $('search-downloads').replaceChildren(
    '下载结果：',
    el('a', { href: `/api/search?${csv.toString()}`, download: 'search-results.csv' }, 'CSV（前 1000 条）'),
    '、',
    el('a', { href: `/api/search?${api.toString()}` }, 'JSON（每页 100 条）'),
  );
}

function showError(message: string, fields: Record<string, string> = {}) {
  const box = $('search-error');
  const items: [string, string][] = Object.keys(fields).length ? Object.entries(fields) : [['q', message]];
  box.replaceChildren(
    el('h2', {}, '无法搜索'),
    el('ul', {}, ...items.map(([field, text]) => el('li', {}, field === 'q' ? el('a', { href: '#q' }, text) : text))),
  );
  box.hidden = false;
  box.focus();
}

type ApiOutcome = { ok: true; response: SearchResponse } | { ok: false; error: ApiError['error'] } | { ok: false; unreachable: true };

/** Asks the API; "unreachable" covers no server, a static host's 404, a 5xx and anything not JSON. */
async function askApi(params: URLSearchParams): Promise<ApiOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), API_TIMEOUT_MS);
  try {
    const res = await fetch(`/api/search?${params.toString()}`, { headers: { Accept: 'application/json' }, signal: controller.signal });
    const json = res.headers.get('Content-Type')?.includes('application/json') ? ((await res.json()) as SearchResponse | ApiError) : undefined;
    if (res.ok && json && 'results' in json) return { ok: true, response: json };
    if ((res.status === 400 || res.status === 429) && json && 'error' in json) return { ok: false, error: json.error };
    return { ok: false, unreachable: true };
  } catch {
    return { ok: false, unreachable: true };
  } finally {
    clearTimeout(timer);
  }
}

async function runFallback(query: string, filtered: boolean) {
  const status = $('search-status');
  status.textContent = '检索服务暂不可用，正在使用站内静态索引搜索……';
  try {
    const { searchStatically } = await import('./search-fallback.ts');
    const { hits, truncated } = await searchStatically(query);
    const caveat = `（检索服务暂不可用，以下为站内静态索引的结果：按页面列出，不含投诉办理结果，不能按条件筛选${filtered ? '，已忽略所选条件' : ''}。）`;
    status.textContent = hits.length
      ? `找到 ${hits.length} 个页面${truncated ? '（只检查了最相关的 200 个页面，请缩小搜索范围）' : ''}。${caveat}`
      : `没有找到包含“${query}”的页面。${caveat}`;
    $('search-results').replaceChildren(
      ...hits.map((h) => el('li', {}, el('h2', { className: 'result-title' }, el('a', { href: h.url }, h.title)), el('p', { className: 'result-snippet' }, markedText(h.excerptHtml)))),
    );
    $('search-results').dataset.source = 'pagefind';
  } catch {
    status.textContent = '搜索暂不可用：检索服务和站内静态索引都无法加载，请稍后再试。';
  }
}

/** Runs the search for the page's address; marks the page when done (`data-search="done"`). */
export async function runSearchPage(): Promise<void> {
  try {
    await searchFromAddress();
  } finally {
    document.body.dataset.search = 'done';
  }
}

async function searchFromAddress(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const query = params.get('q')?.trim() ?? '';
  $<HTMLInputElement>('q').value = query;
  if (!query) return;
  document.title = `${query} - 搜索 - ${document.title.split(' - ').pop()}`;
  const status = $('search-status');
  status.textContent = '正在搜索……';
  const filtered = LIST_FILTERS.some((d) => params.has(d)) || params.has('from') || params.has('to');
  const outcome = await askApi(params);
  if (outcome.ok) {
    const r = outcome.response;
    const from = (r.page - 1) * r.pageSize;
    status.textContent = r.total
      ? `找到 ${r.total} 条记录${r.total > r.pageSize ? `，显示第 ${from + 1}—${Math.min(from + r.pageSize, r.total)} 条` : ''}。`
      : `没有找到包含“${r.query}”的记录${filtered ? '，可以取消部分筛选条件再试' : ''}。`;
    renderApplied(params, r.facets);
    renderFacets(params, r.facets);
    renderHits(r.results);
    renderPager(params, r);
    if (r.total) renderDownloads(params);
    $('search-results').dataset.source = 'api';
    return;
  }
  if ('error' in outcome) {
    status.textContent = '';
    showError(outcome.error.message, outcome.error.fields);
    return;
  }
  await runFallback(query, filtered);
}
