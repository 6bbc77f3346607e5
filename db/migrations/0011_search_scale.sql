-- The search index at national scale (src/search/index-store.ts): keys carry a static prior (kind, then order of
-- indexing) and the FTS5 table a facets column, so filters are part of the MATCH. The index is derived data: it is
-- dropped and created again empty; npm run search:index (run by npm start and npm run deploy) writes it again.
DROP TABLE IF EXISTS search_fts;
--> statement-breakpoint
DROP TABLE IF EXISTS search_doc_facets;
--> statement-breakpoint
DROP TABLE IF EXISTS search_documents;
--> statement-breakpoint
DROP TABLE IF EXISTS search_facet_values;
--> statement-breakpoint
DROP TABLE IF EXISTS search_meta;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS search_documents (
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
CREATE TABLE IF NOT EXISTS search_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
--> statement-breakpoint
INSERT OR IGNORE INTO search_meta (key, value) VALUES ('next_seq', 1);
--> statement-breakpoint
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  title, problem, body, chars, facets,
  tokenize = "unicode61 tokenchars '.'",
  content = '',
  contentless_delete = 1
);
