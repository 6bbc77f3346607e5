/**
 * The search page's script (src/pages/search/index.astro). The server renders the results; this
 * runs only when it could not (no database, the index unavailable) and searches in the browser.
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
import type { SearchHit, SearchResponse } from '../search/index-store.ts';
import { appliedFilters, downloads, facetGroups, facetsNote, isFiltered, pager, planName, statusLine, titlePrefix, type FacetLink } from '../search/page-model.ts';

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

function facetItem(f: FacetLink) {
  const a = el('a', { href: f.href }, f.label);
  if (f.on) a.setAttribute('aria-current', 'true');
  return el('li', { className: f.on ? 'facet-on' : '' }, a, ` (${f.countText})`, f.on ? el('span', { className: 'visually-hidden' }, '，已选，点击取消') : '');
}

function renderFacets(params: URLSearchParams, r: SearchResponse) {
  const nav = el('nav', { className: 'facets' });
  nav.setAttribute('aria-label', '按条件筛选');
  nav.append(el('h2', { className: 'facets-title' }, '筛选'));
  const note = facetsNote(r);
  if (note) nav.append(el('p', { className: 'hint', id: 'facets-note' }, note));
  for (const group of facetGroups(params, r.facets, r.facetsExact !== false)) {
    const section = el('section', { className: 'facet' }, el('h3', {}, group.label), el('ul', {}, ...group.shown.map(facetItem)));
    if (group.more.length) section.append(el('details', {}, el('summary', {}, `其余 ${group.more.length} 项`), el('ul', {}, ...group.more.map(facetItem))));
    nav.append(section);
  }
  $('search-facets').replaceChildren(nav);
}

/** The filters in force, each with a link that removes it. */
function renderApplied(params: URLSearchParams, facets: SearchResponse['facets'] | undefined) {
  const chips = appliedFilters(params, facets).map((c) => el('a', { href: c.href, className: 'chip' }, c.text));
  if (!chips.length) return $('search-applied').replaceChildren();
  $('search-applied').replaceChildren('已选条件（点击取消）：', ...chips.flatMap((p, i) => (i ? ['、', p] : [p])));
}

function renderHits(hits: SearchHit[]) {
  $('search-results').replaceChildren(
    ...hits.map((hit) => {
      const heading = el('h2', { className: 'result-title' }, el('a', { href: hit.url }, titlePrefix(hit), markedText(hit.titleHtml)));
      const meta = el('p', { className: 'result-meta' }, el('span', { className: 'badge s-none' }, hit.kindLabel), hit.date ? ` ${hit.date}` : '');
      const passages = hit.snippets.map((s) => el('p', { className: 'result-snippet' }, el('span', { className: 'muted' }, `${s.label}：`), markedText(s.html)));
      return el('li', {}, heading, meta, ...passages);
    }),
  );
}

function renderPager(params: URLSearchParams, r: SearchResponse) {
  const p = pager(params, r);
  if (!p) return $('search-pager').replaceChildren();
  const parts: (Node | string)[] = [];
  if (p.prev) parts.push(el('a', { href: p.prev, rel: 'prev' }, '上一页'));
  parts.push(` 第 ${p.page} 页，共 ${p.pages} 页 `);
  if (p.next) parts.push(el('a', { href: p.next, rel: 'next' }, '下一页'));
  $('search-pager').replaceChildren(el('p', {}, ...parts));
}

function renderDownloads(params: URLSearchParams) {
  const links = downloads(params);
  $('search-downloads').replaceChildren(
    '下载结果：',
    el('a', { href: links.csv, download: 'search-results.csv' }, 'CSV（前 1000 条）'),
    ' · ',
    el('a', { href: links.json }, 'JSON（每页 100 条）'),
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
      ...hits.map((h) =>
        el('li', {}, el('h2', { className: 'result-title' }, el('a', { href: h.url }, h.plan ? planName(h.plan) : '', h.title)), el('p', { className: 'result-snippet' }, markedText(h.excerptHtml))),
      ),
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
  // The server searched already (results, or a refusal shown as an error summary): nothing to do.
  if ($('search-results').dataset.source === 'server' || !$('search-error').hidden) return;
  const params = new URLSearchParams(location.search);
  const query = params.get('q')?.trim() ?? '';
  $<HTMLInputElement>('q').value = query;
  const filtered = isFiltered(params);
  // As on the server: filters alone list their records, nothing at all is the bare form.
  if (!query && !filtered) return;
  document.title = `${query || '按条件浏览'} - 搜索 - ${document.title.split(' - ').pop()}`;
  const status = $('search-status');
  status.textContent = '正在搜索……';
  const outcome = await askApi(params);
  if (outcome.ok) {
    const r = outcome.response;
    status.textContent = statusLine(r, filtered);
    renderApplied(params, r.facets);
    renderFacets(params, r);
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
  // The static index has no facets: a listing by filters needs the search service.
  if (!query) status.textContent = '检索服务暂不可用，站内静态索引不能按条件列出记录，请输入搜索词后再试。';
  else await runFallback(query, filtered);
}
