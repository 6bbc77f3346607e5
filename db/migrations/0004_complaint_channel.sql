CREATE TABLE `sequences` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `audit_log` ADD `client_hash` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `reference` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `request_digest` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_reference_unique` ON `complaints` (`reference`);--> statement-breakpoint
ALTER TABLE `staff_sessions` ADD `last_seen_at` text;--> statement-breakpoint
-- Written by hand below this line (drizzle-kit does not generate data steps or triggers).
-- Existing complaints get reference numbers in order of receipt, per year of receipt in China time;
-- their tracking code stays their reporter's secret.
UPDATE `complaints` SET `reference` = (
  SELECT printf('%s-%06d', r.year, r.n) FROM (
    SELECT `id`, strftime('%Y', `created_at`, '+8 hours') AS year,
           row_number() OVER (PARTITION BY strftime('%Y', `created_at`, '+8 hours') ORDER BY `created_at`, `id`) AS n
    FROM `complaints`
  ) AS r WHERE r.`id` = `complaints`.`id`
) WHERE `reference` IS NULL;
--> statement-breakpoint
INSERT INTO `sequences` (`name`, `value`)
  SELECT 'complaint:' || substr(`reference`, 1, 4), max(CAST(substr(`reference`, 6) AS INTEGER)) FROM `complaints` WHERE `reference` IS NOT NULL GROUP BY substr(`reference`, 1, 4);
--> statement-breakpoint
-- Duplicate links named the earlier complaint's secret; they name its reference number now.
UPDATE `complaints` SET `duplicate_of` = (SELECT o.`reference` FROM `complaints` AS o WHERE o.`tracking_code` = `complaints`.`duplicate_of`)
  WHERE `duplicate_of` IS NOT NULL AND `duplicate_of` NOT GLOB '[0-9][0-9][0-9][0-9]-*';
--> statement-breakpoint
-- Published complaints were indexed under their secret; `npm run search:index` indexes them again by reference.
DELETE FROM `search_fts` WHERE rowid IN (SELECT `doc_key` FROM `search_documents` WHERE `source` = 'complaint');
--> statement-breakpoint
DELETE FROM `search_doc_facets` WHERE `doc_key` IN (SELECT `doc_key` FROM `search_documents` WHERE `source` = 'complaint');
--> statement-breakpoint
DELETE FROM `search_documents` WHERE `source` = 'complaint';
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
