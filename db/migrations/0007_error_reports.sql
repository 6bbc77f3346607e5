CREATE TABLE `error_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`reference` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`page` text NOT NULL,
	`description` text NOT NULL,
	`evidence` text,
	`contact_ciphertext` text,
	`client_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`state` text DEFAULT 'received' NOT NULL,
	`resolution` text,
	`resolution_source` text,
	`resolved_at` text,
	`resolved_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `error_reports_reference_unique` ON `error_reports` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `error_reports_idempotency_key_unique` ON `error_reports` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `error_reports_page_idx` ON `error_reports` (`page`);--> statement-breakpoint
CREATE INDEX `error_reports_state_idx` ON `error_reports` (`state`,`resolved_at`);