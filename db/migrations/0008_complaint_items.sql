CREATE TABLE `complaint_items` (
	`complaint_id` text NOT NULL,
	`item_id` text NOT NULL,
	`linked_at` text NOT NULL,
	`linked_by` text NOT NULL,
	PRIMARY KEY(`complaint_id`, `item_id`),
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `complaint_items_item_idx` ON `complaint_items` (`item_id`);--> statement-breakpoint
ALTER TABLE `complaints` ADD `items_reviewed` text;