-- Digests the index run compares with (npm run search:index -- --changed): a feed change or an item's
-- watch rows are written again only when their digest differs; rows of before have none and are written
-- once more. change_targets gets an index by change, for rewriting one change's targets. search_digests
-- holds each search document's digest (src/search/index-store.ts, SEARCH_DIGEST_SQL).
ALTER TABLE `change_events` ADD `digest` text;--> statement-breakpoint
ALTER TABLE `item_watch` ADD `digest` text;--> statement-breakpoint
CREATE INDEX `change_targets_seq_idx` ON `change_targets` (`change_seq`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS search_digests (
  doc_key INTEGER PRIMARY KEY,
  digest TEXT NOT NULL
);
