CREATE TABLE `complaint_rebounds` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` text NOT NULL,
	`complaint_id` text NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `complaint_rebounds_item_idx` ON `complaint_rebounds` (`item_id`,`complaint_id`);--> statement-breakpoint
CREATE INDEX `complaint_rebounds_complaint_idx` ON `complaint_rebounds` (`complaint_id`);--> statement-breakpoint
CREATE TABLE `rebound_watch` (
	`region` text NOT NULL,
	`pollution_type` text NOT NULL,
	`item_id` text NOT NULL,
	`watch_from` text NOT NULL,
	PRIMARY KEY(`region`, `pollution_type`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `rebound_watch_item_idx` ON `rebound_watch` (`item_id`);--> statement-breakpoint
ALTER TABLE `complaints` ADD `rebound` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `complaints_rebound_idx` ON `complaints` (`created_at`,`reference`,`state`,`assigned_unit`,`region`,`due_by`) WHERE "complaints"."rebound" = 1;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `rebound_cursor` integer DEFAULT 0 NOT NULL;