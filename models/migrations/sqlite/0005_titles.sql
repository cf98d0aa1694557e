-- 0005 titles: the title register (星级美丽乡村, 和美乡村 named by the district).
-- The reported titles are carried over by this version's frozen Go step
-- (migration_0005_titles.go). Frozen: never edit.

CREATE TABLE `title_entries` (`id` integer PRIMARY KEY AUTOINCREMENT,`village_code` text NOT NULL,`kind` text NOT NULL,`title` text NOT NULL,`level` integer NOT NULL,`year` integer NOT NULL,`on_date` datetime NOT NULL,`document_no` text NOT NULL DEFAULT "",`revokes_id` integer,`reason` text NOT NULL DEFAULT "",`migrated` numeric NOT NULL DEFAULT false,`recorded_at` datetime NOT NULL,`recorded_by` text NOT NULL DEFAULT "");
CREATE INDEX `idx_title_entries_village` ON `title_entries`(`village_code`,`recorded_at`);
CREATE INDEX `idx_title_entries_revokes` ON `title_entries`(`revokes_id`);
