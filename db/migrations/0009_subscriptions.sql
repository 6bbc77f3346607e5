CREATE TABLE `change_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`date` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`href` text NOT NULL,
	`first_seen_at` text NOT NULL,
	`removed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `change_events_id_unique` ON `change_events` (`id`);--> statement-breakpoint
CREATE TABLE `change_targets` (
	`target` text NOT NULL,
	`change_seq` integer NOT NULL,
	PRIMARY KEY(`target`, `change_seq`),
	FOREIGN KEY (`change_seq`) REFERENCES `change_events`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `subscription_mail` (
	`outbox_id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`kind` text NOT NULL,
	`change_ids` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`outbox_id`) REFERENCES `outbox`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscription_mail_subscription_idx` ON `subscription_mail` (`subscription_id`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`email_hash` text NOT NULL,
	`email_ciphertext` text NOT NULL,
	`target` text NOT NULL,
	`frequency` text NOT NULL,
	`token_hash` text,
	`token_expires_at` text,
	`confirmation_sent_at` text,
	`created_at` text NOT NULL,
	`confirmed_at` text,
	`cursor` integer DEFAULT 0 NOT NULL,
	`last_digest_at` text,
	`next_digest_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_token_hash_unique` ON `subscriptions` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_email_target_idx` ON `subscriptions` (`email_hash`,`target`);--> statement-breakpoint
CREATE INDEX `subscriptions_due_idx` ON `subscriptions` (`next_digest_at`);