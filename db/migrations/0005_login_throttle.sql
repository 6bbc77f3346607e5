CREATE TABLE `login_known_clients` (
	`account_key` text NOT NULL,
	`client_hash` text NOT NULL,
	`last_login_at` text NOT NULL,
	PRIMARY KEY(`account_key`, `client_hash`)
);
--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	`blocked_until` integer NOT NULL
);
