-- The search index (src/search/index-store.ts, SEARCH_SCHEMA_SQL): derived data, rebuilt by npm run search:index.
CREATE TABLE IF NOT EXISTS search_documents (
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
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS search_documents_source ON search_documents (source);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS search_facet_values (
  fid INTEGER PRIMARY KEY,
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (dim, value)
);
--> statement-breakpoint
INSERT OR IGNORE INTO search_facet_values (fid, dim, value) VALUES (255, '', '');
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS search_doc_facets (
  doc_key INTEGER PRIMARY KEY,
  fkeys TEXT NOT NULL
);
--> statement-breakpoint
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  title, problem, body, chars,
  tokenize = "unicode61 tokenchars '.'",
  content = '',
  contentless_delete = 1
);
