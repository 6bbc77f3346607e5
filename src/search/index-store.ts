/**
 * The search index in libSQL: a documents table (display text and facets, as
 * published), an FTS5 table holding the tokenized text (`tokenize.ts`), and
 * the facets of every document in a compact form for counting. Works on a
 * `@libsql/client` Client or on a transaction, so a caller can put a document
 * in or take it out in the same transaction that publishes or unpublishes it
 * (complaints).
 *
 * Facet counts must cover the whole match set, which at 100,000 documents can
 * be tens of thousands of records. Grouping that many rows in SQL took 20 ms
 * per 3,000 matches; instead every (dimension, value) pair gets a small
 * integer id (`search_facet_values`), each document stores its ids as one
 * character per id (`search_doc_facets.fkeys`, cached in memory by key), one
 * statement returns the keys of every match, and filters, totals and facet
 * counts are worked out here from that list. Only the page is ranked with
 * BM25 in SQL, tier by tier (see `tiersOf`).
 *
 * Only public material may be written here: everything in the index can be
 * returned by `search`. Content is public by definition; a complaint enters
 * when it is published and leaves when it is unpublished (`removeDocument`).
 */
import type { InStatement, ResultSet, Row, TransactionMode } from '@libsql/client';
import { foldWithMap } from './text.ts';
import { indexColumn, matchSpans, parseQuery, type GramColumn, type ParsedQuery, type QueryRejection } from './tokenize.ts';

/**
 * Kinds of searchable record, in the order results of equal score are listed,
 * and the order of a listing without a query (see `browse`).
 */
export const SEARCH_KINDS = [
  'plan',
  'item',
  'part',
  'amendment',
  'case',
  'reporting-round',
  'reporting-outcome',
  'progress-summary',
  'complaint',
] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const KIND_LABELS: Record<SearchKind, string> = {
  plan: '整改方案',
  item: '整改任务',
  part: '任务分项',
  amendment: '方案修改',
  case: '典型案例',
  'reporting-round': '上报情况通报',
  'reporting-outcome': '地区上报结果',
  'progress-summary': '进展汇总',
  complaint: '公开的投诉处理结果',
};

/** Facet dimensions a document carries besides its kind and year; the names are the API's filter parameters. */
export const FACET_FIELDS = ['inspection', 'plan', 'region', 'unit', 'status', 'topic', 'pollution'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];
/** Every dimension results are counted by. */
export const FACET_DIMENSIONS = ['kind', ...FACET_FIELDS, 'year'] as const;
export type FacetDimension = (typeof FACET_DIMENSIONS)[number];

/** One displayed text of a document, verbatim, and the FTS5 column it is indexed in. */
export interface SearchField {
  /** Stable key of the field within its kind: `problem`, `target`, `measure-2` … */
  key: string;
  /** Chinese label shown before a snippet: 反馈问题, 整改措施(一) … */
  label: string;
  /** Title and problem rank above everything else (the body). */
  column: Exclude<GramColumn, 'title'>;
  text: string;
}

/**
 * A searchable record. A published complaint fits as
 * `{ id: 'complaint:<code>', source: 'complaint', kind: 'complaint', title,
 *   fields: [description, public result …], facets: { region, unit, pollution },
 *   date: <publication date> }`.
 */
export interface SearchDocument {
  /** Unique across the index, prefixed by kind: `item:wuwei-2020-07`, `complaint:ABCD…`. */
  id: string;
  /** Which indexer owns the document: `replaceDocuments` replaces one source at a time. */
  source: string;
  kind: SearchKind;
  /** Displayed as the result's heading, and indexed with the highest weight. */
  title: string;
  /** Site path of the record's page (with an anchor where the record is part of a page). */
  url: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD: the record's own date, or its source's. Gives the year facet. */
  date?: string | undefined;
  fields: SearchField[];
  /**
   * Facet values (ids). Regions must include the regions above them, so that
   * a filter on a province finds its counties.
   */
  facets: Partial<Record<FacetField, readonly string[]>>;
}

/** A Client, or a transaction (`client.transaction()`), or anything with the same two methods. */
export interface SearchDb {
  execute(stmt: InStatement): Promise<ResultSet>;
  batch(stmts: InStatement[], mode?: TransactionMode): Promise<ResultSet[]>;
}

/**
 * DDL of the index, each statement idempotent. The FTS5 table is contentless
 * (the display text lives in `search_documents`), with deletes enabled
 * (`contentless_delete`, SQLite ≥ 3.43), so only the token index is stored.
 * `.` is a token character so that numbers such as 2.5 stay one token.
 * `search_facet_values` only grows: an id, once given, always means the same
 * (dimension, value). Document keys are AUTOINCREMENT, never reused: a key's
 * facets never change (an update is a delete and a new key). Both can
 * therefore be cached by every process without invalidation.
 */
export const SEARCH_SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS search_documents (
  doc_key INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  kind_order INTEGER NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  date TEXT,
  year INTEGER,
  fields TEXT NOT NULL,
  facets TEXT NOT NULL
)`,
  'CREATE INDEX IF NOT EXISTS search_documents_source ON search_documents (source)',
  `CREATE TABLE IF NOT EXISTS search_facet_values (
  fid INTEGER PRIMARY KEY,
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (dim, value)
)`,
  // Ids start above 255, so the characters they are stored as are never ASCII or control characters.
  "INSERT OR IGNORE INTO search_facet_values (fid, dim, value) VALUES (255, '', '')",
  `CREATE TABLE IF NOT EXISTS search_doc_facets (
  doc_key INTEGER PRIMARY KEY,
  fkeys TEXT NOT NULL
)`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  title, problem, body, chars,
  tokenize = "unicode61 tokenchars '.'",
  content = '',
  contentless_delete = 1
)`,
];

/** Creates the index tables if they do not exist (for tests and the index command; production uses the migration). */
export async function ensureSearchSchema(db: SearchDb): Promise<void> {
  await db.batch(SEARCH_SCHEMA_SQL.map((sql) => ({ sql, args: [] })), 'write');
}

/** BM25 weights of the FTS5 columns: title, problem, body, chars. */
export const COLUMN_WEIGHTS = { title: 8, problem: 4, body: 1, chars: 1 } as const;

const kindOrder = (kind: SearchKind) => SEARCH_KINDS.indexOf(kind);
const yearOf = (date: string | undefined) => (date && /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : null);

/** The row written for one document: display columns, tokenized columns and facet pairs. */
function rowOf(doc: SearchDocument) {
  if (!SEARCH_KINDS.includes(doc.kind)) throw new Error(`未知的检索记录类型：${doc.kind}`);
  const title = indexColumn([doc.title]);
  const problem = indexColumn(doc.fields.filter((f) => f.column === 'problem').map((f) => f.text));
  const body = indexColumn(doc.fields.filter((f) => f.column === 'body').map((f) => f.text));
  const year = yearOf(doc.date);
  const facets: [string, string][] = [['kind', doc.kind]];
  if (year !== null) facets.push(['year', String(year)]);
  for (const dim of FACET_FIELDS) for (const v of new Set(doc.facets[dim] ?? [])) facets.push([dim, v]);
  return {
    id: doc.id,
    source: doc.source,
    kind: doc.kind,
    kind_order: kindOrder(doc.kind),
    title: doc.title,
    url: doc.url,
    date: doc.date ?? null,
    year,
    fields: JSON.stringify(doc.fields.map(({ key, label, column, text }) => ({ key, label, column, text }))),
    facets: JSON.stringify(doc.facets),
    fts: { title: title.grams, problem: problem.grams, body: body.grams, chars: [title.chars, problem.chars, body.chars].filter(Boolean).join(' ') },
    pairs: facets,
  };
}

// Rows go in as one JSON array per statement: one round trip per chunk, not per row.
const CHUNK = 500;

/**
 * A facet id is stored as a character: the id itself as a code point, moved
 * past the surrogate range (U+D800–DFFF), which holds no characters.
 */
const charFid = (cp: number) => (cp < 0xd800 ? cp : cp - 0x800);
const FID_CHAR_SQL = (col: string) => `char(CASE WHEN ${col} < 55296 THEN ${col} ELSE ${col} + 2048 END)`;

function insertStatements(docs: readonly SearchDocument[]): InStatement[] {
  const stmts: InStatement[] = [];
  for (let i = 0; i < docs.length; i += CHUNK) {
    const rows = docs.slice(i, i + CHUNK).map(rowOf);
    const json = JSON.stringify(rows);
    stmts.push(
      {
        sql: `INSERT INTO search_documents (id, source, kind, kind_order, title, url, date, year, fields, facets)
SELECT r.value ->> 'id', r.value ->> 'source', r.value ->> 'kind', r.value ->> 'kind_order', r.value ->> 'title',
       r.value ->> 'url', r.value ->> 'date', r.value ->> 'year', r.value ->> 'fields', r.value ->> 'facets'
FROM json_each(?) r`,
        args: [json],
      },
      {
        sql: `INSERT INTO search_fts (rowid, title, problem, body, chars)
SELECT d.doc_key, r.value ->> '$.fts.title', r.value ->> '$.fts.problem', r.value ->> '$.fts.body', r.value ->> '$.fts.chars'
FROM json_each(?) r JOIN search_documents d ON d.id = r.value ->> 'id'`,
        args: [json],
      },
      {
        sql: `INSERT OR IGNORE INTO search_facet_values (dim, value)
SELECT DISTINCT p.value ->> 0, p.value ->> 1 FROM json_each(?) r, json_each(r.value -> 'pairs') p`,
        args: [json],
      },
      {
        sql: `INSERT INTO search_doc_facets (doc_key, fkeys)
SELECT d.doc_key, coalesce((SELECT group_concat(${FID_CHAR_SQL('v.fid')}, '') FROM json_each(r.value -> 'pairs') p
  JOIN search_facet_values v ON v.dim = p.value ->> 0 AND v.value = p.value ->> 1), '')
FROM json_each(?) r JOIN search_documents d ON d.id = r.value ->> 'id'`,
        args: [json],
      },
    );
  }
  return stmts;
}

/** Statements that delete one document (by id) from all three tables; nothing happens if it is absent. */
export function removeStatements(id: string): InStatement[] {
  const keyOf = 'SELECT doc_key FROM search_documents WHERE id = ?';
  return [
    { sql: `DELETE FROM search_fts WHERE rowid IN (${keyOf})`, args: [id] },
    { sql: `DELETE FROM search_doc_facets WHERE doc_key IN (${keyOf})`, args: [id] },
    { sql: 'DELETE FROM search_documents WHERE id = ?', args: [id] },
  ];
}

/** Statements that put one document in the index, replacing any document with the same id. */
export function upsertStatements(doc: SearchDocument): InStatement[] {
  return [...removeStatements(doc.id), ...insertStatements([doc])];
}

/**
 * Puts one document in the index (replacing the one with the same id). Run it
 * on the caller's transaction to make it part of the caller's change.
 */
export async function upsertDocument(tx: SearchDb, doc: SearchDocument): Promise<void> {
  await tx.batch(upsertStatements(doc));
}

/** Takes one document out of the index; on the caller's transaction, like `upsertDocument`. */
export async function removeDocument(tx: SearchDb, id: string): Promise<void> {
  await tx.batch(removeStatements(id));
}

/**
 * Replaces every document of one source (`content`, `complaint` …) with
 * `docs`, in one transaction: searches see the old set or the new one, never
 * a mixture. Returns the number of documents written.
 */
export async function replaceDocuments(db: SearchDb, source: string, docs: readonly SearchDocument[]): Promise<number> {
  const foreign = docs.find((d) => d.source !== source);
  if (foreign) throw new Error(`记录 ${foreign.id} 属于来源 ${foreign.source}，不能写入来源 ${source}`);
  const ofSource = 'SELECT doc_key FROM search_documents WHERE source = ?';
  await db.batch(
    [
      { sql: `DELETE FROM search_fts WHERE rowid IN (${ofSource})`, args: [source] },
      { sql: `DELETE FROM search_doc_facets WHERE doc_key IN (${ofSource})`, args: [source] },
      { sql: 'DELETE FROM search_documents WHERE source = ?', args: [source] },
      // Written in kind order, then id: equal scores are listed in key order (see `tiersOf`).
      ...insertStatements([...docs].sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))),
    ],
    'write',
  );
  return docs.length;
}

// ---------------------------------------------------------------------------
// Searching

/** Filters: several values of one dimension are alternatives (OR); dimensions combine (AND). */
export type SearchFilters = Partial<Record<Exclude<FacetDimension, 'year'>, readonly string[]>> & {
  /** First and last year (inclusive) of the record's date. */
  from?: number | undefined;
  to?: number | undefined;
};

export interface SearchRequest {
  /** The query; may be empty when a filter is given, which then lists every record it allows (see `browse`). */
  q?: string | undefined;
  filters?: SearchFilters;
  /** 1-based. */
  page?: number;
  /** At most `MAX_PAGE_SIZE`. */
  pageSize?: number;
  /** Chinese labels of facet values (region names …), added to the facet counts. */
  labels?: FacetLabels;
}

export type FacetLabels = Partial<Record<FacetDimension, Readonly<Record<string, string>>>>;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Deepest page served: beyond it a query should be narrowed, not paged. */
export const MAX_PAGE = 500;
/** Most values listed per facet dimension (the largest counts). */
export const MAX_FACET_VALUES = 100;

/** A passage of one field around the matches, in the original script. */
export interface Snippet {
  field: string;
  label: string;
  /** The passage, verbatim (with … where it was cut). */
  text: string;
  /** [start, end) of each highlighted match in `text`, UTF-16 offsets. */
  marks: [number, number][];
  /** `text` HTML-escaped, matches in <mark>. */
  html: string;
}

/** The plan a result belongs to, named as the index's plan record names it. */
export interface HitPlan {
  id: string;
  title: string;
  url: string;
}

export interface SearchHit {
  id: string;
  kind: SearchKind;
  kindLabel: string;
  title: string;
  titleHtml: string;
  /**
   * The plan of an item, part or amendment: its title alone says only 第6项,
   * which every plan has. Null for other records (and for a plan itself).
   */
  plan: HitPlan | null;
  url: string;
  date: string | null;
  /**
   * BM25 with column weights, within the result's ranking tier: lower is
   * better (FTS5's convention). 0 in a listing without a query.
   */
  score: number;
  snippets: Snippet[];
  facets: SearchDocument['facets'];
}

export interface FacetCount {
  value: string;
  count: number;
  label?: string;
}

export interface SearchResponse {
  /** The query as searched; empty for a listing by filters alone. */
  query: string;
  total: number;
  page: number;
  pageSize: number;
  results: SearchHit[];
  /**
   * Counts over the whole match set. A dimension that is filtered is counted
   * with every filter except its own, so its other values stay selectable.
   */
  facets: Record<FacetDimension, FacetCount[]>;
}

/** A query that cannot be searched (empty, too long …); its message is for the user. */
export class SearchQueryError extends Error {
  constructor(
    readonly reason: QueryRejection | 'bad_page',
    message: string,
  ) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** Parses `q` or throws a `SearchQueryError`. */
export function parseOrThrow(q: string): ParsedQuery {
  const parsed = parseQuery(q);
  if (!parsed.ok) throw new SearchQueryError(parsed.reason, parsed.message);
  return parsed.query;
}

/**
 * What this process knows of a database's facets: the meaning of each facet
 * id, and the facet ids of each document key seen so far. Neither can go
 * stale (see `SEARCH_SCHEMA_SQL`); missing entries are loaded on demand.
 */
interface FacetCache {
  byFid: Map<number, { dim: FacetDimension; value: string }>;
  byKey: Map<string, number>;
  maxFid: number;
  /** Facet ids by document key (keys are dense integers: an array indexes faster than a map). */
  docs: (Int32Array | undefined)[];
}
const caches = new WeakMap<SearchDb, FacetCache>();
const facetKey = (dim: string, value: string) => `${dim}\u0000${value}`;

function cacheOf(db: SearchDb): FacetCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { byFid: new Map(), byKey: new Map(), maxFid: 255, docs: [] };
    caches.set(db, cache);
  }
  return cache;
}

/** Loads the facet ids added since the last load. */
async function loadFacetValues(db: SearchDb, cache: FacetCache): Promise<void> {
  const { rows } = await db.execute({ sql: 'SELECT fid, dim, value FROM search_facet_values WHERE fid > ? ORDER BY fid', args: [cache.maxFid] });
  for (const r of rows) {
    const fid = Number(r.fid);
    const dim = String(r.dim) as FacetDimension;
    cache.byFid.set(fid, { dim, value: String(r.value) });
    cache.byKey.set(facetKey(dim, String(r.value)), fid);
    cache.maxFid = Math.max(cache.maxFid, fid);
  }
}

const NO_FACETS = new Int32Array(0);
const decodeFkeys = (fkeys: string) => Int32Array.from(fkeys, (c) => charFid(c.codePointAt(0)!));

/** Makes sure the facet ids of every key in `keys` are cached (and the meaning of every id they use). */
async function loadDocFacets(db: SearchDb, cache: FacetCache, keys: readonly number[]): Promise<void> {
  const missing = keys.filter((k) => cache.docs[k] === undefined);
  for (let i = 0; i < missing.length; i += 5000) {
    const chunk = missing.slice(i, i + 5000);
    const { rows } = await db.execute({
      sql: 'SELECT doc_key, fkeys FROM search_doc_facets WHERE doc_key IN (SELECT value FROM json_each(?))',
      args: [JSON.stringify(chunk)],
    });
    for (const r of rows) cache.docs[Number(r.doc_key)] = decodeFkeys(String(r.fkeys));
    // A document deleted since the match (a concurrent unpublish) has no facets.
    for (const k of chunk) cache.docs[k] ??= NO_FACETS;
  }
  let unknown = false;
  for (const k of missing) for (const fid of cache.docs[k]!) if (!cache.byFid.has(fid)) unknown = true;
  if (unknown) await loadFacetValues(db, cache);
}

/** The filtered dimensions and, for each, the facet ids a document must have one of. */
type Allowed = [FacetDimension, Set<number>][];

async function allowedIds(db: SearchDb, cache: FacetCache, filters: SearchFilters): Promise<Allowed> {
  const wanted = FACET_DIMENSIONS.filter((d) => d !== 'year' && filters[d]?.length) as Exclude<FacetDimension, 'year'>[];
  const hasYears = filters.from !== undefined || filters.to !== undefined;
  // A value not cached may have been indexed since; a year range needs every year id.
  if (hasYears || wanted.some((d) => filters[d]!.some((v) => !cache.byKey.has(facetKey(d, v))))) await loadFacetValues(db, cache);
  const allowed: Allowed = wanted.map((dim) => [
    dim,
    new Set(filters[dim]!.map((v) => cache.byKey.get(facetKey(dim, v))).filter((f): f is number => f !== undefined)),
  ]);
  if (hasYears) {
    const years = new Set<number>();
    for (const [fid, f] of cache.byFid) {
      const y = Number(f.value);
      if (f.dim === 'year' && y >= (filters.from ?? 0) && y <= (filters.to ?? 9999)) years.add(fid);
    }
    allowed.push(['year', years]);
  }
  return allowed;
}

/** The dimensions whose filter a document fails: none (it passes), one, or more. */
function failedFilters(fids: Int32Array, allowed: Allowed): FacetDimension[] {
  const failed: FacetDimension[] = [];
  for (const [dim, ok] of allowed) {
    let pass = false;
    for (const f of fids) if (ok.has(f)) pass = true;
    if (!pass) failed.push(dim);
  }
  return failed;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function markedHtml(text: string, marks: readonly [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [s, e] of marks) {
    out += escapeHtml(text.slice(at, s)) + '<mark>' + escapeHtml(text.slice(s, e)) + '</mark>';
    at = e;
  }
  return out + escapeHtml(text.slice(at));
}

/** Highlights of the query in an original text: spans found in the folded text, mapped back. */
export function highlight(text: string, query: Pick<ParsedQuery, 'phrases' | 'chars'>): [number, number][] {
  const folded = foldWithMap(text);
  const out: [number, number][] = [];
  for (const [s, e] of matchSpans(folded.text, query)) {
    const span: [number, number] = [folded.start[s]!, folded.end[e - 1]!];
    const last = out.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push(span);
  }
  return out;
}

/** Characters of context shown before the first match and in a whole snippet. */
const SNIPPET_LEAD = 24;
const SNIPPET_LENGTH = 110;

const isLowSurrogate = (s: string, i: number) => i > 0 && i < s.length && /[\uDC00-\uDFFF]/.test(s[i]!);

/** A passage of `text` around its first matches, with the matches marked. */
export function snippetOf(field: Pick<SearchField, 'key' | 'label' | 'text'>, marks: readonly [number, number][]): Snippet {
  const { text } = field;
  let from = marks.length ? Math.max(0, marks[0]![0] - SNIPPET_LEAD) : 0;
  let to = Math.min(text.length, from + SNIPPET_LENGTH);
  if (to === text.length) from = Math.max(0, to - SNIPPET_LENGTH);
  if (marks.length && marks[0]![1] > to) to = Math.min(text.length, marks[0]![1]);
  // Never cut a surrogate pair.
  if (isLowSurrogate(text, from)) from--;
  if (isLowSurrogate(text, to)) to++;
  const prefix = from > 0 ? '…' : '';
  const suffix = to < text.length ? '…' : '';
  const inWindow = marks
    .filter(([s, e]) => s < to && e > from)
    .map(([s, e]): [number, number] => [Math.max(s, from) - from + prefix.length, Math.min(e, to) - from + prefix.length]);
  const shown = prefix + text.slice(from, to) + suffix;
  return { field: field.key, label: field.label, text: shown, marks: inWindow, html: markedHtml(shown, inWindow) };
}

/** Snippets shown per result: the first fields that match, problem fields first. */
const SNIPPETS_PER_HIT = 2;

/** What highlighting needs of a query; a listing without a query highlights nothing. */
type Highlighted = Pick<ParsedQuery, 'phrases' | 'chars'>;
const NOTHING: Highlighted = { phrases: [], chars: [] };

function hitOf(row: Row, query: Highlighted): SearchHit {
  const kind = String(row.kind) as SearchKind;
  const title = String(row.title);
  const fields = JSON.parse(String(row.fields)) as SearchField[];
  const facets = JSON.parse(String(row.facets)) as SearchDocument['facets'];
  const titleMarks = highlight(title, query);
  const ordered = [...fields.filter((f) => f.column === 'problem'), ...fields.filter((f) => f.column === 'body')];
  const snippets: Snippet[] = [];
  for (const f of ordered) {
    if (snippets.length >= SNIPPETS_PER_HIT) break;
    const marks = highlight(f.text, query);
    if (marks.length) snippets.push(snippetOf(f, marks));
  }
  // Matched in the title only: show the record's opening text for context.
  if (!snippets.length && ordered.length) snippets.push(snippetOf(ordered[0]!, []));
  return {
    id: String(row.id),
    kind,
    kindLabel: KIND_LABELS[kind] ?? kind,
    title,
    titleHtml: markedHtml(title, titleMarks),
    plan: row.plan_title === null || row.plan_title === undefined ? null : { id: facets.plan![0]!, title: String(row.plan_title), url: String(row.plan_url) },
    url: String(row.url),
    date: row.date === null ? null : String(row.date),
    score: Number(row.score),
    snippets,
    facets,
  };
}

const BM25 = `bm25(search_fts, ${COLUMN_WEIGHTS.title}, ${COLUMN_WEIGHTS.problem}, ${COLUMN_WEIGHTS.body}, ${COLUMN_WEIGHTS.chars})`;

/** A matching document: its key and BM25 score. */
interface Match {
  key: number;
  score: number;
}

const ORDER = 'ORDER BY s, k';
const parseKeys = (list: unknown): number[] => (list === null || list === undefined || list === '' ? [] : String(list).split(',').map(Number));
const toMatches = (rows: Row[]): Match[] => rows.map((r) => ({ key: Number(r.k), score: Number(r.s) }));

/**
 * The ranking tiers of a query: records about it (the query in the title or
 * problem) first, then records that mention it only in their body. Within a
 * tier, BM25 with column weights; ties in key order, which is kind order,
 * then id, because `replaceDocuments` writes documents in that order (a
 * document upserted later, such as a complaint, comes after them).
 *
 * Ranking by tiers is also what keeps a search fast at scale: BM25 costs
 * about a microsecond per matching record, and a common word can match tens
 * of thousands; the first page usually needs only the first tier.
 */
function tiersOf(query: ParsedQuery): string[] {
  return query.headMatch ? [query.headMatch, `(${query.match}) NOT (${query.headMatch})`] : [query.match];
}

/** The part of a ranked list each tier contributes to the page [offset, offset + limit). */
function slices(sizes: readonly number[], offset: number, limit: number): { tier: number; offset: number; limit: number }[] {
  const out: { tier: number; offset: number; limit: number }[] = [];
  let start = 0;
  sizes.forEach((size, tier) => {
    const from = Math.max(offset, start);
    const to = Math.min(offset + limit, start + size);
    if (from < to) out.push({ tier, offset: from - start, limit: to - from });
    start += size;
  });
  return out;
}

/** One ranked slice of the matches of `match`, among the keys `among` when given. */
async function rankedSlice(db: SearchDb, match: string, offset: number, limit: number, among?: readonly number[]): Promise<Match[]> {
  // MATERIALIZED: bm25() must run in the FTS5 scan, not after the filter.
  const { rows } = await db.execute({
    sql: `WITH m AS MATERIALIZED (SELECT rowid AS k, ${BM25} AS s FROM search_fts WHERE search_fts MATCH ?)
SELECT k, s FROM m ${among ? 'WHERE k IN (SELECT value FROM json_each(?))' : ''} ${ORDER} LIMIT ? OFFSET ?`,
    args: [match, ...(among ? [JSON.stringify(among)] : []), limit, offset],
  });
  return toMatches(rows);
}

/**
 * The keys of every match (for filters and facet counts) and of each tier
 * but the last; for an unfiltered search also the page's part of the first
 * tier, ranked, in the same statement, so that the first tier's BM25 and
 * the match run once.
 */
async function matchKeys(db: SearchDb, query: ParsedQuery, tiers: readonly string[], firstPage?: { offset: number; limit: number }) {
  const parts: string[] = [];
  const args: (string | number)[] = [];
  if (firstPage) {
    parts.push(`SELECT * FROM (SELECT k, s, NULL AS keys, NULL AS part FROM m ${ORDER} LIMIT ? OFFSET ?)`);
    args.push(firstPage.limit, firstPage.offset);
    if (tiers.length > 1) parts.push("SELECT NULL AS k, NULL AS s, group_concat(k) AS keys, 'tier' AS part FROM m");
  } else if (tiers.length > 1) {
    parts.push("SELECT NULL AS k, NULL AS s, group_concat(rowid) AS keys, 'tier' AS part FROM search_fts WHERE search_fts MATCH ?");
    args.push(tiers[0]!);
  }
  parts.push("SELECT NULL AS k, NULL AS s, group_concat(rowid) AS keys, 'all' AS part FROM search_fts WHERE search_fts MATCH ?");
  args.push(query.match);
  const { rows } = await db.execute({
    sql: `${firstPage ? `WITH m AS MATERIALIZED (SELECT rowid AS k, ${BM25} AS s FROM search_fts WHERE search_fts MATCH ?)\n` : ''}${parts.join('\nUNION ALL ')}`,
    args: firstPage ? [tiers[0]!, ...args] : args,
  });
  const all = parseKeys(rows.find((r) => r.part === 'all')?.keys);
  return {
    all,
    firstTier: tiers.length > 1 ? parseKeys(rows.find((r) => r.part === 'tier')?.keys) : all,
    page: toMatches(rows.filter((r) => r.k !== null)),
  };
}

/**
 * The display rows of the given keys, in the given order, each with the
 * title and address of its plan: the plan record of the index (`plan:<id>`)
 * when the document belongs to exactly one plan, so results are named by the
 * plan's title as published, whatever the source of the document.
 */
async function documentRows(db: SearchDb, page: readonly Match[]): Promise<Row[]> {
  if (!page.length) return [];
  const { rows } = await db.execute({
    sql: `SELECT d.doc_key, d.id, d.kind, d.title, d.url, d.date, d.fields, d.facets, p.title AS plan_title, p.url AS plan_url
FROM search_documents d
LEFT JOIN search_documents p ON d.kind <> 'plan' AND json_array_length(d.facets, '$.plan') = 1 AND p.id = 'plan:' || (d.facets ->> '$.plan[0]')
WHERE d.doc_key IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(page.map((m) => m.key))],
  });
  const byKey = new Map(rows.map((r) => [Number(r.doc_key), r]));
  return page.flatMap((m) => {
    const row = byKey.get(m.key);
    return row ? [{ ...row, score: m.score } as unknown as Row] : [];
  });
}

/**
 * Applies the filters to the matches and counts facets over the whole match
 * set. A document that passes every filter counts for all its values; one
 * that fails exactly one filter still counts for that filter's dimension, so
 * the other values of a filtered dimension show what choosing them gives.
 */
function filterAndCount(keys: readonly number[], allowed: Allowed, cache: FacetCache) {
  // Facet ids are small and dense (from 256): an array counts faster than a map.
  const tally = new Uint32Array(cache.maxFid + 1);
  const passing: number[] = [];
  for (const key of keys) {
    const fids = cache.docs[key] ?? NO_FACETS;
    const failed = allowed.length ? failedFilters(fids, allowed) : [];
    if (!failed.length) {
      passing.push(key);
      for (const f of fids) if (f < tally.length) tally[f]!++;
    } else if (failed.length === 1) {
      for (const f of fids) if (f < tally.length && cache.byFid.get(f)?.dim === failed[0]) tally[f]!++;
    }
  }
  const counts = new Map<number, number>();
  tally.forEach((n, fid) => {
    if (n) counts.set(fid, n);
  });
  return { passing, counts };
}

function facetCounts(counts: Map<number, number>, dict: FacetCache, labels: FacetLabels | undefined) {
  const facets = Object.fromEntries(FACET_DIMENSIONS.map((d) => [d, [] as FacetCount[]])) as Record<FacetDimension, FacetCount[]>;
  for (const [fid, count] of counts) {
    const f = dict.byFid.get(fid);
    if (f && f.dim in facets) facets[f.dim].push({ value: f.value, count });
  }
  for (const dim of FACET_DIMENSIONS) {
    const byYear = dim === 'year';
    facets[dim].sort((a, b) => (byYear ? b.value.localeCompare(a.value) : b.count - a.count || a.value.localeCompare(b.value)));
    facets[dim] = facets[dim].slice(0, MAX_FACET_VALUES);
    const names: Readonly<Record<string, string>> | undefined = dim === 'kind' ? { ...KIND_LABELS, ...labels?.kind } : labels?.[dim];
    for (const f of facets[dim]) {
      const label = names?.[f.value];
      if (label) f.label = label;
    }
  }
  return facets;
}

/**
 * Searches the index: records with the query in their title or problem first,
 * then those with it only in the body, each tier ranked by BM25 with column
 * weights (title 8, problem 4, body 1), ties broken by kind then id; snippets
 * highlighted in the original script; total and facet counts over the whole
 * match set; one page of results. Without a query but with a filter, every
 * record the filters allow, in `BROWSE_ORDER`, with the same facet counts.
 * Throws `SearchQueryError` for a query that cannot be searched (an empty one
 * without filters included).
 */
export async function search(db: SearchDb, request: SearchRequest): Promise<SearchResponse> {
  const filters = request.filters ?? {};
  const query = queryOf(request.q, filters);
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) throw new SearchQueryError('bad_page', `页码应为 1 至 ${MAX_PAGE} 的整数。`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SearchQueryError('bad_page', `每页条数应为 1 至 ${MAX_PAGE_SIZE} 的整数。`);
  }
  const offset = (page - 1) * pageSize;
  const { total, pageMatches, counts, cache } = query ? await runSearch(db, query, filters, offset, pageSize) : await browse(db, filters, offset, pageSize);
  const rows = await documentRows(db, pageMatches);
  return {
    query: query?.text ?? '',
    total,
    page,
    pageSize,
    results: rows.map((r) => hitOf(r, query ?? NOTHING)),
    facets: facetCounts(counts, cache, request.labels),
  };
}

/** The ranked page of matches passing the filters, their number, and the facet counts of the match set. */
async function runSearch(db: SearchDb, query: ParsedQuery, filters: SearchFilters, offset: number, limit: number) {
  const cache = cacheOf(db);
  const allowed = await allowedIds(db, cache, filters);
  const tiers = tiersOf(query);
  const filtered = allowed.length > 0;
  // Unfiltered, the first tier's part of the page comes with the keys; filtered, pages are ranked among the passing keys.
  const keys = await matchKeys(db, query, tiers, filtered ? undefined : { offset, limit });
  await loadDocFacets(db, cache, keys.all);
  const { passing, counts } = filterAndCount(keys.all, allowed, cache);

  const first = new Set(keys.firstTier);
  const byTier: number[][] = tiers.length > 1 ? [passing.filter((k) => first.has(k)), passing.filter((k) => !first.has(k))] : [passing];
  const pageMatches: Match[] = [];
  for (const slice of slices(byTier.map((t) => t.length), offset, limit)) {
    if (slice.tier === 0 && !filtered) pageMatches.push(...keys.page);
    else pageMatches.push(...(await rankedSlice(db, tiers[slice.tier]!, slice.offset, slice.limit, filtered ? byTier[slice.tier] : undefined)));
  }
  return { total: passing.length, pageMatches, counts, cache };
}

/** The first `limit` results of a query (or of a listing by filters), ranked, without facet counts: for CSV and JSON downloads. */
export async function searchAll(db: SearchDb, request: Pick<SearchRequest, 'q' | 'filters'>, limit: number): Promise<{ query: string; results: SearchHit[] }> {
  const filters = request.filters ?? {};
  const query = queryOf(request.q, filters);
  const { pageMatches } = query ? await runSearch(db, query, filters, 0, limit) : await browse(db, filters, 0, limit);
  const rows = await documentRows(db, pageMatches);
  return { query: query?.text ?? '', results: rows.map((r) => hitOf(r, query ?? NOTHING)) };
}

/** Whether any filter is given (a value of a facet, or a year). */
export function hasFilters(filters: SearchFilters): boolean {
  return FACET_DIMENSIONS.some((d) => d !== 'year' && (filters[d]?.length ?? 0) > 0) || filters.from !== undefined || filters.to !== undefined;
}

/**
 * The parsed query, or undefined for a listing: an empty query is allowed
 * when a filter is given. Without either there is nothing to list short of
 * the whole index, so it is refused as an empty query.
 */
function queryOf(q: string | undefined, filters: SearchFilters): ParsedQuery | undefined {
  if (!q?.trim() && hasFilters(filters)) return undefined;
  return parseOrThrow(q ?? '');
}

/**
 * The listing order without a query, where there is no score: by kind (plans
 * first, then items, parts, amendments … as in `SEARCH_KINDS`), then by
 * record id, which for items and parts is the plan then the zero-padded item
 * number (`item:wuwei-2020-06`), for amendments the amendment then the item.
 * Stable across pages. Built from the constant list, not the stored
 * `kind_order`, so documents indexed before a kind was added sort right too.
 */
const BROWSE_ORDER = `ORDER BY CASE kind ${SEARCH_KINDS.map((k, i) => `WHEN '${k}' THEN ${i}`).join(' ')} ELSE ${SEARCH_KINDS.length} END, id`;

/**
 * Every record the filters allow, without a query: the page in `BROWSE_ORDER`,
 * the total, and facet counts over the whole listing (the same counting as a
 * search: a filtered dimension counted without its own filter).
 */
async function browse(db: SearchDb, filters: SearchFilters, offset: number, limit: number) {
  const cache = cacheOf(db);
  const allowed = await allowedIds(db, cache, filters);
  const { rows } = await db.execute('SELECT group_concat(doc_key) AS keys FROM search_documents');
  const all = parseKeys(rows[0]?.keys);
  await loadDocFacets(db, cache, all);
  const { passing, counts } = filterAndCount(all, allowed, cache);
  const page = passing.length
    ? await db.execute({
        sql: `SELECT doc_key FROM search_documents WHERE doc_key IN (SELECT value FROM json_each(?)) ${BROWSE_ORDER} LIMIT ? OFFSET ?`,
        args: [JSON.stringify(passing), limit, offset],
      })
    : { rows: [] };
  const pageMatches: Match[] = page.rows.map((r) => ({ key: Number(r.doc_key), score: 0 }));
  return { total: passing.length, pageMatches, counts, cache };
}
