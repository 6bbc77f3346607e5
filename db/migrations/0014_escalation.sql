CREATE TABLE `complaint_reminders` (
	`complaint_id` text NOT NULL,
	`clock` text NOT NULL,
	`kind` text NOT NULL,
	`due_at` text NOT NULL,
	`unit` text,
	`recipients` integer NOT NULL,
	`queued_at` text NOT NULL,
	PRIMARY KEY(`complaint_id`, `clock`, `kind`, `due_at`),
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `item_watch` (
	`item_id` text NOT NULL,
	`unit` text NOT NULL,
	`name` text NOT NULL,
	`title` text NOT NULL,
	`due` text,
	`done` integer NOT NULL,
	`status` text NOT NULL,
	`status_date` text,
	`silent_since` text NOT NULL,
	`synced_at` text NOT NULL,
	PRIMARY KEY(`item_id`, `unit`)
);
--> statement-breakpoint
CREATE INDEX `item_watch_unit_due_idx` ON `item_watch` (`unit`,`due`,`item_id`) WHERE "item_watch"."done" = 0 and "item_watch"."due" is not null;--> statement-breakpoint
CREATE INDEX `item_watch_due_idx` ON `item_watch` (`due`,`unit`,`item_id`) WHERE "item_watch"."done" = 0 and "item_watch"."due" is not null;--> statement-breakpoint
CREATE INDEX `item_watch_unit_silent_idx` ON `item_watch` (`unit`,`silent_since`,`item_id`) WHERE "item_watch"."done" = 0;--> statement-breakpoint
CREATE INDEX `item_watch_silent_idx` ON `item_watch` (`silent_since`,`unit`,`item_id`) WHERE "item_watch"."done" = 0;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `email_ciphertext` text;--> statement-breakpoint
CREATE INDEX `complaints_due_idx` ON `complaints` (`due_by`,`reference`,`assigned_unit`,`state`,`id`) WHERE "complaints"."due_by" is not null;--> statement-breakpoint
CREATE INDEX `complaints_triage_due_idx` ON `complaints` (`due_by`,`reference`,`id`) WHERE "complaints"."due_by" is not null and "complaints"."assigned_unit" is null;