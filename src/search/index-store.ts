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
 * BM25, tier by tier (see `tiersOf`), by FTS5's `bm25()` or, where that would
 * read long doclists, from the candidates' stored text (`score.ts`).
 *
 * Only public material may be written here: everything in the index can be
 * returned by `search`. Content is public by definition; a complaint enters
 * when it is published and leaves when it is unpublished (`removeDocument`).
 */
import type { InStatement, ResultSet, Row, TransactionMode } from '@libsql/client';
import { digestOf } from '../text/digest.ts';
import { bm25Scorer, countedAsSubstring, docLength, indexTotals, type IndexTotals, type ScoredPhrase } from './score.ts';
import { foldWithMap } from './text.ts';
import { GRAM_COLUMNS, HEAD_COLUMNS, indexColumn, matchSpans, parseQuery, phraseMatch, type GramColumn, type ParsedQuery, type QueryRejection } from './tokenize.ts';

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
 * (dimension, value). Document keys are never reused: a key's facets never
 * change (an update is a delete and a new key). Both can therefore be cached
 * by every process without invalidation.
 *
 * A document's key is its rowid in FTS5 and carries a static prior: its kind
 * in the high bits (`KIND_SHIFT`), then a sequence number (`search_meta`), so
 * rowid order is kind order, then order of indexing (content is written
 * sorted by id). FTS5 returns matches in rowid order and can stop at a LIMIT,
 * so the first N matches by this prior cost N, not the whole match set (see
 * `RANK_WINDOW`, `COUNT_LIMIT`). The `facets` column holds each document's
 * facet ids as tokens (`f<fid>`), so filters are part of the MATCH: FTS5
 * intersects them with the query, instead of every match being checked.
 */
export const SEARCH_SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS search_documents (
  doc_key INTEGER PRIMARY KEY,
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
  `CREATE TABLE IF NOT EXISTS search_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
)`,
  "INSERT OR IGNORE INTO search_meta (key, value) VALUES ('next_seq', 1)",
  `CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  title, problem, body, chars, facets,
  tokenize = "unicode61 tokenchars '.'",
  content = '',
  contentless_delete = 1
)`,
];

/**
 * Each document's digest (`documentDigest`), by key, written by the bulk writers
 * (`replaceDocuments`, `updateDocuments`) for `updateDocuments` to compare with. A document
 * written otherwise (`upsertDocument`: a complaint published by staff) has none and is compared
 * by its stored text instead. Keys are never reused, so a digest can only describe its own
 * document; rows of deleted documents are dropped by the next bulk write. Whatever drops the
 * index (and with it `search_meta`'s sequence) must drop this table too. Kept apart from
 * `SEARCH_SCHEMA_SQL` (migration 0011): migration 0015 creates it.
 */
export const SEARCH_DIGEST_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS search_digests (
  doc_key INTEGER PRIMARY KEY,
  digest TEXT NOT NULL
)`,
];

/**
 * Drops the index (derived data: `npm run search:index` writes it again).
 * Migration 0011 runs these before `SEARCH_SCHEMA_SQL`; `ensureSearchSchema`
 * does the same on a database that still has the index of before.
 */
export const SEARCH_DROP_SQL: readonly string[] = [
  'DROP TABLE IF EXISTS search_fts',
  'DROP TABLE IF EXISTS search_doc_facets',
  'DROP TABLE IF EXISTS search_documents',
  'DROP TABLE IF EXISTS search_facet_values',
  'DROP TABLE IF EXISTS search_meta',
];

/**
 * Creates the index tables if they do not exist (for tests and the index
 * command; production uses the migrations). An index of the earlier layout
 * (no `facets` column) is dropped first: it is rebuilt by the caller.
 */
export async function ensureSearchSchema(db: SearchDb): Promise<void> {
  const { rows } = await db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_fts'");
  const old = rows.length > 0 && !/\bfacets\b/.test(String(rows[0]!.sql));
  const drop = old ? [...SEARCH_DROP_SQL, 'DROP TABLE IF EXISTS search_digests'] : [];
  await db.batch([...drop, ...SEARCH_SCHEMA_SQL, ...SEARCH_DIGEST_SQL].map((sql) => ({ sql, args: [] })), 'write');
}

/** BM25 weights of the FTS5 columns: title, problem, body, chars; facet tokens never score. */
export const COLUMN_WEIGHTS = { title: 8, problem: 4, body: 1, chars: 1, facets: 0 } as const;

/** Bits of a document key below its kind (see `SEARCH_SCHEMA_SQL`): 2^40 documents per kind, keys stay below 2^53. */
export const KIND_SHIFT = 40;

const kindOrder = (kind: SearchKind) => SEARCH_KINDS.indexOf(kind);
const yearOf = (date: string | undefined) => (date && /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : null);

/**
 * Version of what a document's stored rows derive from besides its own text (tokenisation,
 * facet encoding): part of every document's digest, so that raising it makes `updateDocuments`
 * write every document again. Raise it whenever `tokenize.ts`, `text.ts` or `rowOf` change what is stored.
 */
export const INDEX_FORMAT = 1;

/** The stored display columns of a document (what `rowOf` writes besides tokens and keys), as one string to compare. */
const storedForm = (r: Readonly<Record<string, unknown>>) =>
  JSON.stringify([r.kind, r.title, r.url, r.date ?? null, r.fields, r.facets]);
const fieldsJson = (doc: SearchDocument) => JSON.stringify(doc.fields.map(({ key, label, column, text }) => ({ key, label, column, text })));
const formOf = (doc: SearchDocument) => storedForm({ kind: doc.kind, title: doc.title, url: doc.url, date: doc.date, fields: fieldsJson(doc), facets: JSON.stringify(doc.facets) });
const digestOfForm = (form: string) => digestOf(`${INDEX_FORMAT}\n${form}`);

/**
 * A document's digest: of everything its stored rows derive from (its stored form, and
 * `INDEX_FORMAT`). Kept in `search_digests` beside the document's key, so that
 * `updateDocuments` compares 28 characters per document instead of reading its texts back.
 */
export function documentDigest(doc: SearchDocument): string {
  return digestOfForm(formOf(doc));
}

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
  const fields = fieldsJson(doc);
  const facetsJson = JSON.stringify(doc.facets);
  return {
    id: doc.id,
    source: doc.source,
    kind: doc.kind,
    kind_order: kindOrder(doc.kind),
    title: doc.title,
    url: doc.url,
    date: doc.date ?? null,
    year,
    fields,
    facets: facetsJson,
    digest: digestOfForm(storedForm({ kind: doc.kind, title: doc.title, url: doc.url, date: doc.date, fields, facets: facetsJson })),
    fts: { title: title.grams, problem: problem.grams, body: body.grams, chars: [title.chars, problem.chars, body.chars].filter(Boolean).join(' ') },
    pairs: facets,
  };
}

/** Documents per written chunk: rows go in as one JSON array per statement, one round trip per chunk, not per row. */
export const CHUNK = 500;

/**
 * One chunk of documents, tokenized and encoded as the JSON the insert
 * statements read. Pure and synchronous: a bulk loader can encode chunks in
 * a worker thread while the database writes the previous ones.
 */
export function encodeChunk(docs: readonly SearchDocument[]): { json: string; count: number } {
  return { json: JSON.stringify(docs.map(rowOf)), count: docs.length };
}

/**
 * A facet id is stored as a character: the id itself as a code point, moved
 * past the surrogate range (U+D800–DFFF), which holds no characters.
 */
const charFid = (cp: number) => (cp < 0xd800 ? cp : cp - 0x800);
const FID_CHAR_SQL = (col: string) => `char(CASE WHEN ${col} < 55296 THEN ${col} ELSE ${col} + 2048 END)`;
/** The FTS5 token of a facet id, in the `facets` column. */
const fidToken = (fid: number) => `f${fid}`;

const PAIR_FIDS = `json_each(r.value -> 'pairs') p JOIN search_facet_values v ON v.dim = p.value ->> 0 AND v.value = p.value ->> 1`;

/** The statements that write one encoded chunk (facet ids, documents with their keys, facets, tokens), each binding the chunk's JSON. */
function chunkStatements({ json, count }: { json: string; count: number }, digests = false): InStatement[] {
  return [
    {
      sql: `INSERT OR IGNORE INTO search_facet_values (dim, value)
SELECT DISTINCT p.value ->> 0, p.value ->> 1 FROM json_each(?) r, json_each(r.value -> 'pairs') p`,
      args: [json],
    },
    {
      // The key: kind in the high bits, then the next sequence numbers (see SEARCH_SCHEMA_SQL).
      sql: `INSERT INTO search_documents (doc_key, id, source, kind, kind_order, title, url, date, year, fields, facets)
SELECT ((r.value ->> 'kind_order') << ${KIND_SHIFT}) + m.value + r.key, r.value ->> 'id', r.value ->> 'source', r.value ->> 'kind',
       r.value ->> 'kind_order', r.value ->> 'title', r.value ->> 'url', r.value ->> 'date', r.value ->> 'year', r.value ->> 'fields', r.value ->> 'facets'
FROM json_each(?) r JOIN search_meta m ON m.key = 'next_seq'`,
      args: [json],
    },
    { sql: `UPDATE search_meta SET value = value + ${count} WHERE key = 'next_seq'`, args: [] },
    {
      sql: `INSERT INTO search_doc_facets (doc_key, fkeys)
SELECT d.doc_key, coalesce((SELECT group_concat(${FID_CHAR_SQL('v.fid')}, '') FROM ${PAIR_FIDS}), '')
FROM json_each(?) r JOIN search_documents d ON d.id = r.value ->> 'id'`,
      args: [json],
    },
    {
      sql: `INSERT INTO search_fts (rowid, title, problem, body, chars, facets)
SELECT d.doc_key, r.value ->> '$.fts.title', r.value ->> '$.fts.problem', r.value ->> '$.fts.body', r.value ->> '$.fts.chars',
       coalesce((SELECT group_concat('f' || v.fid, ' ') FROM ${PAIR_FIDS}), '')
FROM json_each(?) r JOIN search_documents d ON d.id = r.value ->> 'id'`,
      args: [json],
    },
    // Only the bulk writers keep digests (`SEARCH_DIGEST_SQL`): a single upsert runs where the table may not exist yet.
    ...(digests
      ? [
          {
            sql: `INSERT OR REPLACE INTO search_digests (doc_key, digest)
SELECT d.doc_key, r.value ->> 'digest' FROM json_each(?) r JOIN search_documents d ON d.id = r.value ->> 'id'`,
            args: [json],
          },
        ]
      : []),
  ];
}

function insertStatements(docs: readonly SearchDocument[], digests = false): InStatement[] {
  const stmts: InStatement[] = [];
  for (let i = 0; i < docs.length; i += CHUNK) stmts.push(...chunkStatements(encodeChunk(docs.slice(i, i + CHUNK)), digests));
  return stmts;
}

/** Drops the digests of documents no longer in the index (deleted, or written again under a new key). */
const ORPHAN_DIGESTS_SQL = 'DELETE FROM search_digests WHERE doc_key NOT IN (SELECT doc_key FROM search_documents)';

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

/** A statement with its arguments written into the SQL as literals (strings quoted, `'` doubled; null as NULL). */
function inlined(stmt: InStatement): string {
  if (typeof stmt === 'string') return stmt;
  const args = [...((stmt.args as unknown[] | undefined) ?? [])];
  return stmt.sql.replace(/\?/g, () => {
    const v = args.shift();
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
    if (v === null) return 'NULL';
    throw new Error('只能内联字符串、数字和空值参数');
  });
}

/**
 * A local libSQL file client, written through `executeMultiple`: the driver
 * keeps the memory of every bound argument (and statement text) of `execute`
 * and `batch` until the process ends (libsql-js#153: 6 GB for 50,000 items),
 * but not of a script. Remote clients (Turso) keep nothing locally.
 */
interface ScriptTx {
  executeMultiple(sql: string): Promise<void>;
  commit(): Promise<void>;
  close(): void;
}
type ScriptDb = SearchDb & { protocol: string; transaction(mode: TransactionMode): Promise<ScriptTx> };
const isLocalFile = (db: SearchDb): db is ScriptDb => (db as Partial<ScriptDb>).protocol === 'file' && typeof (db as Partial<ScriptDb>).transaction === 'function';

type Chunks = Iterable<{ json: string; count: number }> | AsyncIterable<{ json: string; count: number }>;

function* chunksOf(docs: readonly SearchDocument[]) {
  for (let i = 0; i < docs.length; i += CHUNK) yield encodeChunk(docs.slice(i, i + CHUNK));
}

const byKindThenId = (a: SearchDocument, b: SearchDocument) => kindOrder(a.kind) - kindOrder(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Replaces every document of one source (`content`, `complaint` …) with
 * `docs`, in one transaction: searches see the old set or the new one, never
 * a mixture. Returns the number of documents written. `docs` may also be
 * encoded chunks (`encodeChunk`), streamed: a bulk load then holds one chunk
 * at a time; every document of a chunk must belong to `source`.
 */
export async function replaceDocuments(db: SearchDb, source: string, docs: readonly SearchDocument[] | Chunks): Promise<number> {
  let chunks: Chunks;
  if (Array.isArray(docs)) {
    const list = docs as readonly SearchDocument[];
    const foreign = list.find((d) => d.source !== source);
    if (foreign) throw new Error(`记录 ${foreign.id} 属于来源 ${foreign.source}，不能写入来源 ${source}`);
    // Written in kind order, then id: equal scores and listings follow key order (see `SEARCH_SCHEMA_SQL`).
    chunks = chunksOf([...list].sort(byKindThenId));
  } else chunks = docs as Chunks;
  const ofSource = 'SELECT doc_key FROM search_documents WHERE source = ?';
  const deletes: InStatement[] = [
    { sql: `DELETE FROM search_digests WHERE doc_key IN (${ofSource})`, args: [source] },
    { sql: `DELETE FROM search_fts WHERE rowid IN (${ofSource})`, args: [source] },
    { sql: `DELETE FROM search_doc_facets WHERE doc_key IN (${ofSource})`, args: [source] },
    { sql: 'DELETE FROM search_documents WHERE source = ?', args: [source] },
    { sql: ORPHAN_DIGESTS_SQL, args: [] },
  ];
  let written = 0;
  if (isLocalFile(db)) {
    const tx = await db.transaction('write');
    try {
      await tx.executeMultiple(deletes.map(inlined).join(';\n'));
      for await (const chunk of chunks) {
        await tx.executeMultiple(chunkStatements(chunk, true).map(inlined).join(';\n'));
        written += chunk.count;
      }
      await tx.commit();
    } finally {
      tx.close();
    }
    return written;
  }
  const stmts = [...deletes];
  for await (const chunk of chunks) {
    stmts.push(...chunkStatements(chunk, true));
    written += chunk.count;
  }
  await db.batch(stmts, 'write');
  return written;
}

/** What `updateDocuments` did. */
export interface IndexUpdate {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** Stored keys and digests read per query while comparing (keyset on doc_key): memory stays bounded at a million documents. */
const COMPARE_PAGE = 20000;

/**
 * Brings one source's documents in line with `docs` by difference: a document
 * whose digest (`documentDigest`: of its kind, title, address, date, texts,
 * facets — everything its tokens derive from — and `INDEX_FORMAT`) is the
 * stored one is left alone, without being tokenised; a changed one is deleted
 * and written again under a new key (keys are never reused, see
 * `SEARCH_SCHEMA_SQL`); a stored one no longer in `docs` is deleted. A stored
 * document without a digest (written by `upsertDocument`) is compared by its
 * stored text, and gets its digest when equal. All in one transaction, as
 * `replaceDocuments`: searches see the old set or the new one. A changed
 * document's new key puts it after the others of its kind in key order
 * (listings without a query); a full `replaceDocuments` restores id order.
 */
export async function updateDocuments(db: SearchDb, source: string, docs: readonly SearchDocument[]): Promise<IndexUpdate> {
  const foreign = docs.find((d) => d.source !== source);
  if (foreign) throw new Error(`记录 ${foreign.id} 属于来源 ${foreign.source}，不能写入来源 ${source}`);
  // id → digest ('' where the document has none).
  const stored = new Map<string, string>();
  for (let after = -1; ; ) {
    const { rows } = await db.execute({
      sql: `SELECT d.doc_key, d.id, coalesce(g.digest, '') AS digest FROM search_documents d LEFT JOIN search_digests g ON g.doc_key = d.doc_key
WHERE d.source = ? AND d.doc_key > ? ORDER BY d.doc_key LIMIT ?`,
      args: [source, after, COMPARE_PAGE],
    });
    for (const r of rows) stored.set(String(r.id), String(r.digest));
    if (rows.length < COMPARE_PAGE) break;
    after = Number(rows.at(-1)!.doc_key);
  }
  const report: IndexUpdate = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const write: SearchDocument[] = [];
  const undigested: SearchDocument[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    seen.add(doc.id);
    const before = stored.get(doc.id);
    if (before === '') undigested.push(doc);
    else if (before === documentDigest(doc)) report.unchanged += 1;
    else {
      report[before === undefined ? 'added' : 'changed'] += 1;
      write.push(doc);
    }
  }
  // Documents without a digest: their stored text decides; equal ones only get their digest.
  const adopt: { id: string; digest: string }[] = [];
  for (let i = 0; i < undigested.length; i += CHUNK) {
    const part = undigested.slice(i, i + CHUNK);
    const { rows } = await db.execute({
      sql: 'SELECT id, kind, title, url, date, fields, facets FROM search_documents WHERE id IN (SELECT value FROM json_each(?))',
      args: [JSON.stringify(part.map((d) => d.id))],
    });
    const forms = new Map(rows.map((r) => [String(r.id), storedForm(r)]));
    for (const doc of part) {
      const form = formOf(doc);
      if (forms.get(doc.id) === form) {
        report.unchanged += 1;
        adopt.push({ id: doc.id, digest: digestOfForm(form) });
      } else {
        report.changed += 1;
        write.push(doc);
      }
    }
  }
  const remove = [...stored.keys()].filter((id) => !seen.has(id));
  report.removed = remove.length;
  if (!write.length && !remove.length && !adopt.length) return report;
  await writeStatements(db, [
    ...[...remove, ...write.map((d) => d.id)].flatMap(removeStatements),
    ...insertStatements([...write].sort(byKindThenId), true),
    ...(adopt.length
      ? [{
          sql: `INSERT OR REPLACE INTO search_digests (doc_key, digest)
SELECT d.doc_key, a.value ->> 'digest' FROM json_each(?) a JOIN search_documents d ON d.id = a.value ->> 'id'`,
          args: [JSON.stringify(adopt)],
        }]
      : []),
    ORPHAN_DIGESTS_SQL,
  ]);
  return report;
}

/** Statements per script when `writeStatements` writes a local file. */
const SCRIPT_STATEMENTS = 2000;

/**
 * Runs statements as one write transaction: on a local file as scripts (`isLocalFile`: the driver
 * keeps nothing of a script, where it keeps every bound argument of a batch until the process ends),
 * `SCRIPT_STATEMENTS` at a time, taken from `stmts` as they are written (a generator never holds
 * them all); elsewhere as one batch. Nothing is written when there is nothing to write.
 */
export async function writeStatements(db: SearchDb, stmts: Iterable<InStatement>): Promise<void> {
  if (!isLocalFile(db)) {
    const all = [...stmts];
    if (all.length) await db.batch(all, 'write');
    return;
  }
  let tx: ScriptTx | undefined;
  try {
    let script: string[] = [];
    const flush = async () => {
      tx ??= await db.transaction('write');
      await tx.executeMultiple(script.join(';\n'));
      script = [];
    };
    for (const stmt of stmts) {
      script.push(inlined(stmt));
      if (script.length >= SCRIPT_STATEMENTS) await flush();
    }
    if (script.length) await flush();
    await tx?.commit();
  } finally {
    tx?.close();
  }
}

/**
 * Merges the FTS5 index into one segment (`optimize`): after a bulk load the
 * index is many segments, and every query reads each of them.
 */
export async function optimizeIndex(db: SearchDb): Promise<void> {
  await db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')");
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
  /** Other limits than `RANK_WINDOW` and `COUNT_LIMIT` (tests show what happens above them on small data). */
  limits?: Partial<Limits>;
}

export interface Limits {
  rankWindow: number;
  countLimit: number;
  /** `DF_LIMIT`. */
  frequencyLimit: number;
  /** Default `bm25BudgetFor(rows in the index)`. */
  bm25Budget?: number;
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
   * Whether `total` is the exact number of matches. Matches are counted up to
   * `COUNT_LIMIT`; above it `total` is `COUNT_LIMIT` and means "at least".
   */
  totalExact: boolean;
  /**
   * Counts over the match set. A dimension that is filtered is counted with
   * every filter except its own, so its other values stay selectable. Above
   * `COUNT_LIMIT` matches, they are counted over the first `COUNT_LIMIT`
   * (in key order; for a filtered dimension, of the query without filters)
   * and `facetsExact` is false: each count is then "at least".
   */
  facets: Record<FacetDimension, FacetCount[]>;
  facetsExact: boolean;
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
  /**
   * Facet ids by the sequence number of a document key (the key without its kind: unique, dense
   * and a small integer, which an array indexes faster than a map does keys above 2^31).
   */
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
const SEQ = 2 ** KIND_SHIFT;
/** A document key's sequence number (see `SEARCH_SCHEMA_SQL`). */
const seqOf = (key: number) => key % SEQ;
const decodeFkeys = (fkeys: string) => Int32Array.from(fkeys, (c) => charFid(c.codePointAt(0)!));

/** Makes sure the facet ids of every key in `keys` are cached (and the meaning of every id they use). */
async function loadDocFacets(db: SearchDb, cache: FacetCache, keys: readonly number[]): Promise<void> {
  const missing = keys.filter((k) => cache.docs[seqOf(k)] === undefined);
  for (let i = 0; i < missing.length; i += 5000) {
    const chunk = missing.slice(i, i + 5000);
    const { rows } = await db.execute({
      sql: 'SELECT doc_key, fkeys FROM search_doc_facets WHERE doc_key IN (SELECT value FROM json_each(?))',
      args: [JSON.stringify(chunk)],
    });
    // Grown in order, never with a gap: an array written far past its end becomes a slow dictionary.
    const top = Math.max(...chunk.map(seqOf));
    for (let i = cache.docs.length; i <= top; i++) cache.docs.push(undefined);
    for (const r of rows) cache.docs[seqOf(Number(r.doc_key))] = decodeFkeys(String(r.fkeys));
    // A document deleted since the match (a concurrent unpublish) has no facets.
    for (const k of chunk) cache.docs[seqOf(k)] ??= NO_FACETS;
  }
  let unknown = false;
  for (const k of missing) for (const fid of cache.docs[seqOf(k)]!) if (!cache.byFid.has(fid)) unknown = true;
  if (unknown) await loadFacetValues(db, cache);
}

/** The filtered dimensions and, for each, the facet ids a document must have one of (none: nothing passes). */
type Allowed = [FacetDimension, number[]][];

async function allowedIds(db: SearchDb, cache: FacetCache, filters: SearchFilters): Promise<Allowed> {
  const wanted = FACET_DIMENSIONS.filter((d) => d !== 'year' && filters[d]?.length) as Exclude<FacetDimension, 'year'>[];
  const hasYears = filters.from !== undefined || filters.to !== undefined;
  // A value not cached may have been indexed since; a year range needs every year id.
  if (hasYears || wanted.some((d) => filters[d]!.some((v) => !cache.byKey.has(facetKey(d, v))))) await loadFacetValues(db, cache);
  const allowed: Allowed = wanted.map((dim) => [
    dim,
    [...new Set(filters[dim]!.map((v) => cache.byKey.get(facetKey(dim, v))).filter((f): f is number => f !== undefined))],
  ]);
  if (hasYears) {
    const years: number[] = [];
    for (const [fid, f] of cache.byFid) {
      const y = Number(f.value);
      if (f.dim === 'year' && y >= (filters.from ?? 0) && y <= (filters.to ?? 9999)) years.push(fid);
    }
    allowed.push(['year', years]);
  }
  return allowed;
}

/** No facet id is below 255 (see `SEARCH_SCHEMA_SQL`): a filter with no known value matches this token, which no document has. */
const NO_FID = 0;

/**
 * The filters as an FTS5 expression over the `facets` column (values of a
 * dimension OR'ed, dimensions AND'ed), leaving out the dimension `except`;
 * undefined when nothing is left.
 */
function filterMatch(allowed: Allowed, except?: FacetDimension): string | undefined {
  const parts = allowed
    .filter(([dim]) => dim !== except)
    .map(([, fids]) => `{facets} : (${(fids.length ? fids : [NO_FID]).map(fidToken).join(' OR ')})`);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** A query's expression with the filters' (either may be missing, not both). */
const both = (match: string | undefined, filter: string | undefined) => (match && filter ? `(${match}) AND ${filter}` : (match ?? filter)!);

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

/** A matching document: its key and BM25 score. */
interface Match {
  key: number;
  score: number;
}

/**
 * Matches of a tier ranked by BM25: its first this many in key order (the
 * static prior of `SEARCH_SCHEMA_SQL`). BM25 costs about a microsecond per
 * match, and a common word matches most of the index; FTS5 stops reading at
 * the LIMIT. Beyond the window a tier continues in key order, unranked. Below
 * it (every query of the real content) the ranking is exact.
 */
export const RANK_WINDOW = 500;
/**
 * Matches counted, and facets counted over, per query: exact up to this many
 * (Meilisearch counts facets exactly up to 3,000 candidates, Elasticsearch
 * hits up to 10,000). Above it the answer says "at least" (`totalExact`,
 * `facetsExact`). At 100k documents, 500 and 3,000 cost about 8 ms of CPU less
 * per answer than 1,000 and 5,000.
 */
export const COUNT_LIMIT = 3000;
/**
 * Document frequencies are counted exactly up to this many matches (every
 * query of the real content). Above it, a phrase's frequency is extrapolated
 * from how far into the index, in key order, its first `DF_LIMIT` matches
 * reach (counted up to `DF_SCAN_LIMIT` documents; a phrase rarer than that is
 * taken to be that common, so its IDF is at most ln(DF_SCAN_LIMIT / DF_LIMIT)
 * lower than exact: about 3.5 rather than 4.6 for a phrase in 1% of a million).
 * FTS5's `bm25()` reads every match instead.
 */
export const DF_LIMIT = 3000;
const DF_SCAN_LIMIT = 100_000;
/**
 * Doclist entries `bm25()` may read for a query (the document frequencies of its phrases and
 * filter tokens, summed) before the stored-text scorer ranks it instead. The scorer's cost is
 * about the same at any index size (reading 500 candidates' text), bm25()'s per entry grows with
 * the index, so the budget depends on its size. Measured on a quiet machine with
 * `npm run bench:search-scale -- N --reuse`:
 *
 * - at 100,000 documents, 300,000 entries keeps filtered queries at 16–18 ms p95 (19–22 ms with
 *   100,000 entries);
 * - at 1,000,000 documents, 100,000 entries keeps every class under 50 ms (filtered 44 ms,
 *   longer phrases 22 ms; 45–50 and 30–33 ms with 300,000 entries).
 *
 * Where between the two sizes the switch is best was not measured; it is put at 300,000 documents.
 */
export function bm25BudgetFor(rows: number): number {
  return rows <= 300_000 ? 300_000 : 100_000;
}
const DEFAULT_LIMITS: Limits = { rankWindow: RANK_WINDOW, countLimit: COUNT_LIMIT, frequencyLimit: DF_LIMIT };

const parseKeys = (list: unknown): number[] => (list === null || list === undefined || list === '' ? [] : String(list).split(',').map(Number));

/** One ranking tier: its FTS5 expression and the phrases that score in it. */
interface Tier {
  match: string;
  phrases: ScoredPhrase[];
}

/** The phrases of a query that score, in the given bigram columns, with its single characters (each alternative a phrase, as FTS5 counts them). */
function scoredPhrases(query: ParsedQuery, columns: readonly GramColumn[]): ScoredPhrase[] {
  return [
    ...query.phrases.map((tokens) => ({ match: phraseMatch(tokens, columns), columns, tokens })),
    ...query.chars.flat().map((c) => ({ match: phraseMatch([c], ['chars']), columns: ['chars'] as const, tokens: [c] })),
  ];
}

/**
 * The ranking tiers of a query: records about it (the query in the title or
 * problem) first, then records that mention it only in their body. Within a
 * tier, BM25 with column weights over the tier's first `RANK_WINDOW` matches;
 * ties in key order, which is kind order, then id (see `SEARCH_SCHEMA_SQL`).
 */
function tiersOf(query: ParsedQuery): Tier[] {
  const all = scoredPhrases(query, GRAM_COLUMNS);
  return query.headMatch
    ? [
        { match: query.headMatch, phrases: scoredPhrases(query, HEAD_COLUMNS) },
        { match: `(${query.match}) NOT (${query.headMatch})`, phrases: all },
      ]
    : [{ match: query.match, phrases: all }];
}


/** How many documents hold the phrase of `match`: exact up to `DF_LIMIT`, estimated above it. */
async function documentFrequency(db: SearchDb, match: string, rows: number, limit: number): Promise<number> {
  const { rows: counted } = await db.execute({
    sql: 'SELECT count(*) AS n, max(k) AS last FROM (SELECT rowid AS k FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid LIMIT ?)',
    args: [match, limit],
  });
  const n = Number(counted[0]!.n);
  if (n < limit) return n;
  const { rows: before } = await db.execute({
    sql: 'SELECT count(*) AS m FROM (SELECT 1 FROM search_doc_facets WHERE doc_key <= ? LIMIT ?)',
    args: [Number(counted[0]!.last), DF_SCAN_LIMIT],
  });
  const m = Math.max(n, Number(before[0]!.m));
  return Math.min(rows, Math.round((n * rows) / m));
}

/** What one search knows of the index for ranking: its totals, and document frequencies, each read once. */
interface IndexStats {
  totals(): Promise<IndexTotals>;
  frequency(match: string): Promise<number>;
}

/**
 * Document frequencies this process has counted, per database, while the index stays as it was
 * counted: FTS5's averages record (row count and token totals) changes with every write, and
 * clears them (an edit that keeps every column's token count leaves them, off by at most that
 * document). Filter tokens and common words recur from query to query; at most
 * `FREQUENCY_CACHE` are kept.
 */
const frequencyCaches = new WeakMap<SearchDb, { version: string; limit: number; frequencies: Map<string, Promise<number>> }>();
const FREQUENCY_CACHE = 10_000;

function statsOf(db: SearchDb, limit: number): IndexStats {
  let version: Promise<{ key: string; totals: IndexTotals }> | undefined;
  const read = () =>
    (version ??= db.execute('SELECT block FROM search_fts_data WHERE id = 1').then(({ rows }) => {
      const block = rows[0]?.block;
      return { key: block instanceof ArrayBuffer ? new Uint8Array(block).join(',') : '', totals: indexTotals(block) };
    }));
  return {
    totals: async () => (await read()).totals,
    async frequency(match) {
      const { key, totals } = await read();
      let cache = frequencyCaches.get(db);
      if (!cache || cache.version !== key || cache.limit !== limit || cache.frequencies.size >= FREQUENCY_CACHE) {
        cache = { version: key, limit, frequencies: new Map() };
        frequencyCaches.set(db, cache);
      }
      let n = cache.frequencies.get(match);
      if (!n) {
        const frequencies = cache.frequencies;
        frequencies.set(match, (n = documentFrequency(db, match, totals.rows, limit)));
        n.catch(() => frequencies.delete(match));
      }
      return n;
    },
  };
}

const FTS_WEIGHTS = { title: COLUMN_WEIGHTS.title, problem: COLUMN_WEIGHTS.problem, body: COLUMN_WEIGHTS.body, chars: COLUMN_WEIGHTS.chars };
const BM25 = `bm25(search_fts, ${COLUMN_WEIGHTS.title}, ${COLUMN_WEIGHTS.problem}, ${COLUMN_WEIGHTS.body}, ${COLUMN_WEIGHTS.chars}, ${COLUMN_WEIGHTS.facets})`;

/**
 * How a tier is ranked: by FTS5's `bm25()` where the doclists it reads are short (`bm25BudgetFor`),
 * else by `scorerOf`. Both give the same scores (`score.ts`).
 */
type Ranker = { sql: true } | { sql: false; score: (keys: readonly number[]) => Promise<Match[]> };

/** Scores documents of one tier from their stored text (see `score.ts`). */
function scorerOf(db: SearchDb, phrases: readonly ScoredPhrase[], stats: IndexStats): Ranker {
  let scoring: Promise<ReturnType<typeof bm25Scorer>> | undefined;
  const prepare = async () => {
    const frequencies = await Promise.all(phrases.map((p) => stats.frequency(p.match)));
    return bm25Scorer(phrases, frequencies, await stats.totals(), FTS_WEIGHTS);
  };
  // Only the texts of the columns that score.
  const columns = [...new Set(phrases.flatMap((p) => (p.columns[0] === 'chars' ? GRAM_COLUMNS : p.columns)))];
  const sql = `SELECT d.doc_key AS k, z.sz, (
  SELECT json_group_array(json_array(t.c, t.x)) FROM (
    SELECT 'title' AS c, d.title AS x UNION ALL SELECT f.value ->> 'column', f.value ->> 'text' FROM json_each(d.fields) f
  ) t WHERE t.c IN (${columns.map(() => '?').join(', ')})
) AS texts
FROM search_documents d LEFT JOIN search_fts_docsize z ON z.id = d.doc_key
WHERE d.doc_key IN (SELECT value FROM json_each(?))`;
  const score = async (keys: readonly number[]): Promise<Match[]> => {
    if (!keys.length) return [];
    scoring ??= prepare();
    const [bm25, { rows }] = await Promise.all([scoring, db.execute({ sql, args: [...columns, JSON.stringify(keys)] })]);
    const byKey = new Map<number, number>();
    for (const r of rows) {
      const texts: Record<GramColumn, string[]> = { title: [], problem: [], body: [] };
      for (const [column, text] of JSON.parse(String(r.texts)) as [GramColumn, string][]) texts[column].push(text);
      byKey.set(Number(r.k), bm25(texts, docLength(r.sz)));
    }
    return keys.map((key) => ({ key, score: byKey.get(key) ?? 0 }));
  };
  return { sql: false, score };
}

const toMatches = (rows: Row[]): Match[] => rows.map((r) => ({ key: Number(r.k), score: Number(r.s) }));

/**
 * Positions [from, to) of one tier's order: its first `RANK_WINDOW` matches
 * by key ranked by BM25, then the rest by key. Fewer when the tier ends
 * first; without a ranker, key order throughout (a listing without a query).
 */
async function tierSlice(db: SearchDb, match: string, from: number, to: number, rankWindow: number, ranker?: Ranker): Promise<Match[]> {
  const out: Match[] = [];
  const window = ranker ? rankWindow : 0;
  if (from < window) {
    const want = Math.min(to, window) - from;
    if (ranker!.sql) {
      // MATERIALIZED: FTS5 stops at the window in key order; only then are the scores sorted.
      const { rows } = await db.execute({
        sql: `WITH w AS MATERIALIZED (SELECT rowid AS k, ${BM25} AS s FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid LIMIT ?)
SELECT k, s FROM w ORDER BY s, k LIMIT ? OFFSET ?`,
        args: [match, window, want, from],
      });
      out.push(...toMatches(rows));
    } else {
      const ranked = await ranker!.score(await firstKeys(db, match, window));
      ranked.sort((a, b) => a.score - b.score || a.key - b.key);
      out.push(...ranked.slice(from, from + want));
    }
    if (out.length < want) return out;
  }
  if (to > window) {
    const start = Math.max(from, window);
    const { rows } = await db.execute({
      sql: `SELECT rowid AS k, ${ranker?.sql ? BM25 : '0'} AS s FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid LIMIT ? OFFSET ?`,
      args: [match, to - start, start],
    });
    const beyond = toMatches(rows);
    out.push(...(ranker && !ranker.sql ? await ranker.score(beyond.map((m) => m.key)) : beyond));
  }
  return out;
}

/** How many records match, counting no further than `limit`. */
async function countUpTo(db: SearchDb, match: string, limit: number): Promise<number> {
  const { rows } = await db.execute({ sql: 'SELECT count(*) AS n FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)', args: [match, limit] });
  return Number(rows[0]!.n);
}

/** Positions [offset, offset + limit) of the tiers one after another. */
async function rankedPage(db: SearchDb, tiers: readonly { match: string; ranker?: Ranker }[], offset: number, limit: number, rankWindow: number): Promise<Match[]> {
  const page: Match[] = [];
  let start = 0;
  for (const [i, { match, ranker }] of tiers.entries()) {
    const from = Math.max(0, offset - start);
    const to = offset + limit - start;
    const got = await tierSlice(db, match, from, to, rankWindow, ranker);
    page.push(...got);
    if (page.length >= limit || i === tiers.length - 1) break;
    // The tier ended before the page did: its size says where the next one starts.
    start += got.length ? from + got.length : await countUpTo(db, match, from);
  }
  return page;
}

/** The first `limit` keys matching `match`, in key order. */
async function firstKeys(db: SearchDb, match: string, limit: number): Promise<number[]> {
  const { rows } = await db.execute({
    sql: 'SELECT group_concat(k) AS keys FROM (SELECT rowid AS k FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid LIMIT ?)',
    args: [match, limit],
  });
  return parseKeys(rows[0]?.keys);
}

/**
 * The number of matches and the facet counts, each exact up to
 * `COUNT_LIMIT`: counted over the first `COUNT_LIMIT` matches in key order.
 * A filtered dimension is counted over the matches of every other filter,
 * so that its other values show what choosing them gives: all filtered
 * dimensions at once, here, over the first `COUNT_LIMIT` matches of the
 * query without filters (one more FTS5 query, however many dimensions are
 * filtered), each match counted for a dimension when it passes every other
 * filter. Above the limit those counts too are "at least" (`facetsExact`).
 */
async function countMatches(db: SearchDb, cache: FacetCache, query: string | undefined, allowed: Allowed, countLimit: number) {
  const main = await firstKeys(db, both(query, filterMatch(allowed)), countLimit + 1);
  const unfiltered = !allowed.length ? [] : query ? await firstKeys(db, query, countLimit + 1) : await firstDocKeys(db, countLimit + 1);
  const filtered = new Set(allowed.map(([dim]) => dim));
  const counts = new Map<number, number>();
  // Facet ids are small and dense (from 256): an array counts faster than a map.
  const count = async (keys: number[], counted: (facets: Int32Array) => ((fid: number) => boolean) | undefined) => {
    await loadDocFacets(db, cache, keys);
    const tally = new Uint32Array(cache.maxFid + 1);
    for (const key of keys) {
      const facets = cache.docs[seqOf(key)] ?? NO_FACETS;
      const counts = counted(facets);
      if (counts) for (const fid of facets) if (fid < tally.length && counts(fid)) tally[fid]!++;
    }
    tally.forEach((n, fid) => {
      if (n) counts.set(fid, n);
    });
  };
  const dimOf = (fid: number) => cache.byFid.get(fid)?.dim;
  // The matches of every filter count the unfiltered dimensions.
  await count(main.slice(0, countLimit), () => (fid) => {
    const dim = dimOf(fid);
    return dim !== undefined && !filtered.has(dim);
  });
  // A match of the query alone counts for the filtered dimension it fails (all of them if it fails none).
  await count(unfiltered.slice(0, countLimit), (facets) => {
    const fails = allowed.filter(([, fids]) => !fids.some((f) => facets.includes(f)));
    if (fails.length > 1) return undefined;
    const only = fails[0]?.[0];
    return (fid) => {
      const dim = dimOf(fid);
      return dim !== undefined && filtered.has(dim) && (only === undefined || dim === only);
    };
  });
  return {
    total: Math.min(main.length, countLimit),
    totalExact: main.length <= countLimit,
    facetsExact: main.length <= countLimit && unfiltered.length <= countLimit,
    counts,
  };
}

/** The first `limit` document keys of the index. */
async function firstDocKeys(db: SearchDb, limit: number): Promise<number[]> {
  const { rows } = await db.execute({ sql: 'SELECT group_concat(doc_key) AS keys FROM (SELECT doc_key FROM search_documents ORDER BY doc_key LIMIT ?)', args: [limit] });
  return parseKeys(rows[0]?.keys);
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
 * weights (title 8, problem 4, body 1) over its first `RANK_WINDOW` matches,
 * ties broken by kind then id; snippets highlighted in the original script;
 * total and facet counts exact up to `COUNT_LIMIT` matches; one page of
 * results. Without a query but with a filter, every record the filters allow,
 * in key order (kind, then id), with the same counts. Throws
 * `SearchQueryError` for a query that cannot be searched (an empty one
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
  const cache = cacheOf(db);
  const allowed = await allowedIds(db, cache, filters);
  const limits = { ...DEFAULT_LIMITS, ...request.limits };
  const [pageMatches, counted] = await Promise.all([
    pageOf(db, query, allowed, offset, pageSize, limits),
    countMatches(db, cache, query?.match, allowed, limits.countLimit),
  ]);
  const rows = await documentRows(db, pageMatches);
  return {
    query: query?.text ?? '',
    total: counted.total,
    totalExact: counted.totalExact,
    page,
    pageSize,
    results: rows.map((r) => hitOf(r, query ?? NOTHING)),
    facets: facetCounts(counted.counts, cache, request.labels),
    facetsExact: counted.facetsExact,
  };
}

/** The ranked page of matches passing the filters; without a query, the records the filters allow, in key order. */
async function pageOf(db: SearchDb, query: ParsedQuery | undefined, allowed: Allowed, offset: number, limit: number, limits: Limits): Promise<Match[]> {
  const filter = filterMatch(allowed);
  if (!query) return rankedPage(db, [{ match: filter! }], offset, limit, 0);
  const tiers = tiersOf(query);
  const stats = statsOf(db, limits.frequencyLimit);
  // What bm25() would read: for every phrase of the query (the last tier has them in all their
  // columns, the longest) the positions of each of its tokens in each of its documents, and every
  // filter token's doclist.
  const read = [
    ...tiers.at(-1)!.phrases.map((p) => ({ match: p.match, weight: p.tokens.length })),
    ...allowed.flatMap(([, fids]) => fids).map((fid) => ({ match: `{facets} : ${fidToken(fid)}`, weight: 1 })),
  ];
  const entries = await Promise.all(read.map(async ({ match, weight }) => weight * (await stats.frequency(match))));
  // A phrase the stored-text scorer counts on the token stream (Latin, digits) costs it about three times more.
  const base = limits.bm25Budget ?? bm25BudgetFor((await stats.totals()).rows);
  const budget = base * (tiers.at(-1)!.phrases.every(countedAsSubstring) ? 1 : 3);
  const cheap = entries.reduce((a, b) => a + b, 0) < budget;
  return rankedPage(db, tiers.map((t) => ({ match: both(t.match, filter), ranker: cheap ? { sql: true } : scorerOf(db, t.phrases, stats) })), offset, limit, limits.rankWindow);
}

/** The first `limit` results of a query (or of a listing by filters), ranked, without facet counts: for CSV and JSON downloads. */
export async function searchAll(db: SearchDb, request: Pick<SearchRequest, 'q' | 'filters'>, limit: number): Promise<{ query: string; results: SearchHit[] }> {
  const filters = request.filters ?? {};
  const query = queryOf(request.q, filters);
  const allowed = await allowedIds(db, cacheOf(db), filters);
  const pageMatches = await pageOf(db, query, allowed, 0, limit, DEFAULT_LIMITS);
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
