ALTER TABLE `subscriptions` ADD `linked_cursor` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Subscriptions confirmed before this column: their linked complaints count from their confirmation, as new ones' do.
UPDATE `subscriptions` SET `linked_cursor` = coalesce(`confirmed_at`, '');
