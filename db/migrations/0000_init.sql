CREATE TABLE `complaint_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`complaint_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`state` text NOT NULL,
	`public_note` text,
	`internal_note` text,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `complaint_events_complaint_idx` ON `complaint_events` (`complaint_id`);--> statement-breakpoint
CREATE TABLE `complaints` (
	`id` text PRIMARY KEY NOT NULL,
	`tracking_code` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`state` text DEFAULT 'submitted' NOT NULL,
	`pollution_types` text NOT NULL,
	`region` text NOT NULL,
	`address` text NOT NULL,
	`latitude` real,
	`longitude` real,
	`observed_at` text NOT NULL,
	`description` text NOT NULL,
	`suspected_polluter` text,
	`anonymous` integer NOT NULL,
	`contact_ciphertext` text,
	`consent_publish` integer NOT NULL,
	`client_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_tracking_code_unique` ON `complaints` (`tracking_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_idempotency_key_unique` ON `complaints` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `complaints_state_idx` ON `complaints` (`state`);--> statement-breakpoint
CREATE INDEX `complaints_created_idx` ON `complaints` (`created_at`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`key`, `window_start`)
);
