/**
 * Search API over everything public: items, parts, amendments, cases,
 * reporting rounds, progress summaries and published complaints.
 *
 * GET /api/search?q=污水&region=gansu-wuwei&kind=item&from=2019&to=2021&page=1&pageSize=20
 *   → { query, total, totalExact, page, pageSize, results: [...], facets: {...}, facetsExact }
 *     (above COUNT_LIMIT matches, total and facet counts are lower bounds: see index-store.ts)
 * GET /api/search?q=污水&format=csv
 *   → the first 1,000 results as CSV (UTF-8 with BOM, like the open data files)
 * GET /api/search?unit=wuwei-ecology
 *   → without `q`, every record the filters allow (facets, paging and CSV as
 *     with a query), in the listing order of `browse` in index-store.ts.
 *     Neither a query nor a filter is a 400: there is nothing to list short
 *     of the whole index.
 *
 * Filters may repeat (`region=a&region=b`) or list values with commas; values
 * of one filter are alternatives, different filters all apply. Bad input is a
 * 400 in the project's error format, naming each bad parameter; no query text
 * can reach FTS5 as syntax (see `src/search/tokenize.ts`).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { POLLUTION_TYPES } from '../src/domain/complaint.ts';
import { STATUS_IDS } from '../src/domain/status.ts';
import { fieldErrors } from '../src/domain/field-errors.ts';
import {
  DEFAULT_PAGE_SIZE,
  hasFilters,
  MAX_PAGE,
  MAX_PAGE_SIZE,
  SEARCH_KINDS,
  SearchQueryError,
  search,
  searchAll,
  type FacetLabels,
  type SearchDb,
  type SearchFilters,
  type SearchHit,
} from '../src/search/index-store.ts';
import { MAX_QUERY_LENGTH, parseQuery } from '../src/search/tokenize.ts';
import { csvDownload } from '../src/site/csv.ts';
import { apiError } from './errors.ts';

export interface SearchDeps {
  /** The libSQL client holding the search index (`src/search/index-store.ts`). */
  client: SearchDb;
  /** Names of facet values (regions, units …), added to facet counts; see `facetLabels`. */
  labels?: FacetLabels;
  /**
   * Counts a search against the client's rate limit; answers the seconds to
   * wait when over it (see `limitClient`), undefined when within it.
   */
  limit?: (c: Context) => Promise<number | undefined>;
}

/**
 * Results may be cached for a minute by browsers and shared caches: content
 * changes only with a deploy, and a published complaint can wait that long.
 * Refusals are never cached.
 */
const CACHE_RESULTS = 'public, max-age=60';

/** Rows in a CSV download: a result set larger than this should be narrowed with filters. */
export const MAX_EXPORT_ROWS = 1000;
/** Values accepted per filter parameter. */
const MAX_VALUES = 20;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const YEAR = { min: 1949, max: 2100 };

/** A filter parameter: repeated and/or comma-separated values, each checked. */
const list = (check: (v: string) => boolean, message: string) =>
  z
    .array(z.string())
    .transform((vs) => [...new Set(vs.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))])
    .pipe(z.array(z.string().refine(check, message)).max(MAX_VALUES, `最多可选 ${MAX_VALUES} 项`));

const slugList = (what: string) => list((v) => SLUG.test(v), `${what}编号格式有误`);

const integer = (min: number, max: number, message: string) =>
  z
    .string()
    .regex(/^\d{1,6}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));

const params = z
  .object({
    q: z.string().max(MAX_QUERY_LENGTH * 4, `搜索词不能超过 ${MAX_QUERY_LENGTH} 个字。`).default(''),
    kind: list((v) => (SEARCH_KINDS as readonly string[]).includes(v), '类型不在可选范围内'),
    inspection: slugList('督察'),
    plan: slugList('方案'),
    region: slugList('地区'),
    unit: slugList('单位'),
    status: list((v) => v === 'undisclosed' || (STATUS_IDS as readonly string[]).includes(v), '状态不在可选范围内'),
    topic: slugList('主题'),
    pollution: list((v) => (POLLUTION_TYPES as readonly string[]).includes(v), '污染类型不在可选范围内'),
    from: integer(YEAR.min, YEAR.max, `起始年份应为 ${YEAR.min} 至 ${YEAR.max} 的年份`).optional(),
    to: integer(YEAR.min, YEAR.max, `截止年份应为 ${YEAR.min} 至 ${YEAR.max} 的年份`).optional(),
    page: integer(1, MAX_PAGE, `页码应为 1 至 ${MAX_PAGE} 的整数`).default(1),
    pageSize: integer(1, MAX_PAGE_SIZE, `每页条数应为 1 至 ${MAX_PAGE_SIZE} 的整数`).default(DEFAULT_PAGE_SIZE),
    format: z.enum(['json', 'csv'], { error: '格式应为 json 或 csv' }).default('json'),
  })
  .refine((p) => p.from === undefined || p.to === undefined || p.from <= p.to, { path: ['to'], message: '截止年份不能早于起始年份' });

const LIST_PARAMS = ['kind', 'inspection', 'plan', 'region', 'unit', 'status', 'topic', 'pollution'] as const;
const SINGLE_PARAMS = ['q', 'from', 'to', 'page', 'pageSize', 'format'] as const;

/** Each bad parameter and its message (the first one per parameter; a repeated parameter is one). */
const paramErrors = (error: z.ZodError) => fieldErrors(error, { key: 'field', root: 'q' });

const CSV_COLUMNS = {
  id: '记录编号',
  kind: '类型编号',
  kind_label: '类型',
  title: '标题',
  plan: '所属整改方案',
  url: '网址',
  date: '日期',
  matched_field: '命中字段',
  excerpt: '命中片段（原文）',
} as const;

function toCsv(results: SearchHit[]): string {
  const rows = results.map((h) => {
    const s = h.snippets[0];
    return [h.id, h.kind, h.kindLabel, h.title, h.plan?.title ?? '', h.url, h.date ?? '', s?.label ?? '', s?.text ?? ''];
  });
  return csvDownload([Object.keys(CSV_COLUMNS), ...rows], { record_delimiter: 'windows' });
}

/** The search API, to be mounted at /api/search. */
export function searchRoutes(deps: SearchDeps) {
  const app = new Hono();

  app.get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    const retryAfter = await deps.limit?.(c);
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return apiError(c, 429, 'rate_limited', `搜索过于频繁，请在 ${retryAfter} 秒后再试。`);
    }
    const raw: Record<string, unknown> = {};
    for (const name of SINGLE_PARAMS) {
      const v = c.req.query(name);
      if (v !== undefined) raw[name] = v;
    }
    for (const name of LIST_PARAMS) raw[name] = c.req.queries(name) ?? [];
    const parsed = params.safeParse(raw);
    if (!parsed.success) return apiError(c, 400, 'invalid_query', '搜索参数有误，请按提示修改。', paramErrors(parsed.error));
    const p = parsed.data;

    const filters: SearchFilters = {
      kind: p.kind, inspection: p.inspection, plan: p.plan, region: p.region, unit: p.unit,
      status: p.status, topic: p.topic, pollution: p.pollution, from: p.from, to: p.to,
    };
    // The query text's own rules (empty, too long, nothing searchable) come from the tokenizer;
    // no query at all is a listing by the filters, when there are any.
    const query = !p.q.trim() && hasFilters(filters) ? undefined : parseQuery(p.q);
    if (query && !query.ok) return apiError(c, 400, 'invalid_query', '搜索参数有误，请按提示修改。', { q: query.message });

    try {
      c.header('Cache-Control', CACHE_RESULTS);
      if (p.format === 'csv') {
        const { results } = await searchAll(deps.client, { q: p.q, filters }, MAX_EXPORT_ROWS);
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', 'attachment; filename="search-results.csv"');
        return c.body(toCsv(results));
      }
      const response = await search(deps.client, { q: p.q, filters, page: p.page, pageSize: p.pageSize, ...(deps.labels ? { labels: deps.labels } : {}) });
      return c.json(response);
    } catch (error) {
      c.header('Cache-Control', 'no-store');
      if (error instanceof SearchQueryError) return apiError(c, 400, 'invalid_query', '搜索参数有误，请按提示修改。', { q: error.message });
      throw error;
    }
  });

  return app;
}
