CREATE TABLE `complaint_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`complaint_id` text NOT NULL,
	`storage_key` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `complaint_photos_complaint_idx` ON `complaint_photos` (`complaint_id`);--> statement-breakpoint
CREATE TABLE `objections` (
	`id` text PRIMARY KEY NOT NULL,
	`tracking_code` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`item_id` text NOT NULL,
	`text` text NOT NULL,
	`contact_ciphertext` text,
	`client_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`disposition` text,
	`disposed_at` text,
	`disposed_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `objections_tracking_code_unique` ON `objections` (`tracking_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `objections_idempotency_key_unique` ON `objections` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `objections_item_idx` ON `objections` (`item_id`);--> statement-breakpoint
ALTER TABLE `complaints` ADD `accepted_at` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `assigned_unit` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `verdict` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `extended_days` integer;--> statement-breakpoint
ALTER TABLE `complaints` ADD `extension_reason` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `duplicate_of` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `closed_at` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `enforcement` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `publication` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `published_at` text;--> statement-breakpoint
CREATE INDEX `complaints_unit_idx` ON `complaints` (`assigned_unit`);--> statement-breakpoint
CREATE INDEX `complaints_published_idx` ON `complaints` (`published_at`);