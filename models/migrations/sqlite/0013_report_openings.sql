-- 0013 report openings: which officer opened which submitted report version's review
-- page (once each), so that a flagged report is approved in bulk only once opened.
-- Frozen: never edit.

CREATE TABLE `report_openings` (`id` integer PRIMARY KEY AUTOINCREMENT,`version_id` integer NOT NULL,`user_id` integer NOT NULL,`opened_at` datetime NOT NULL);
CREATE UNIQUE INDEX `idx_report_openings_version_user` ON `report_openings`(`version_id`,`user_id`);
