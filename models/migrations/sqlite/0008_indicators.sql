-- 0008 indicators: the district's indicator catalogue (definitions with their
-- history) and each village's value of an indicator for a year, a versioned series
-- like the yearly report (one open version, unique seq). Frozen: never edit.

CREATE TABLE `indicators` (`id` integer PRIMARY KEY AUTOINCREMENT,`district_code` text NOT NULL,`code` text NOT NULL,`name` text NOT NULL,`kind` text NOT NULL,`unit` text NOT NULL DEFAULT "",`entered_by` text NOT NULL,`from_year` integer NOT NULL,`until_year` integer,`rollup` text NOT NULL,`plan` numeric NOT NULL DEFAULT false,`wording` text NOT NULL DEFAULT "",`version` integer NOT NULL,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_indicator_code` ON `indicators`(`district_code`,`code`);
CREATE TABLE `indicator_revisions` (`id` integer PRIMARY KEY AUTOINCREMENT,`indicator_id` integer NOT NULL,`name` text NOT NULL,`kind` text NOT NULL,`unit` text NOT NULL DEFAULT "",`entered_by` text NOT NULL,`from_year` integer NOT NULL,`until_year` integer,`rollup` text NOT NULL,`plan` numeric NOT NULL DEFAULT false,`wording` text NOT NULL DEFAULT "",`version` integer NOT NULL,`valid_from` datetime NOT NULL,`valid_to` datetime,`recorded_by` text NOT NULL DEFAULT "");
CREATE INDEX `idx_indicator_revisions_indicator_id` ON `indicator_revisions`(`indicator_id`);
CREATE TABLE `indicator_values` (`id` integer PRIMARY KEY AUTOINCREMENT,`indicator_id` integer NOT NULL,`village_code` text NOT NULL,`year` integer NOT NULL,`seq` integer NOT NULL,`status` text NOT NULL,`version` integer NOT NULL,`created_by_id` integer NOT NULL,`submitted_at` datetime,`submitted_by` text NOT NULL DEFAULT "",`reviewed_at` datetime,`reviewer_id` integer,`reviewer` text NOT NULL DEFAULT "",`reject_reason` text NOT NULL DEFAULT "",`value` integer NOT NULL,`note` text NOT NULL DEFAULT "",`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_indicator_values_village` FOREIGN KEY (`village_code`) REFERENCES `villages`(`code`) ON DELETE RESTRICT ON UPDATE RESTRICT);
CREATE INDEX `idx_indicator_values_village_code` ON `indicator_values`(`village_code`);
CREATE UNIQUE INDEX idx_iv_seq ON indicator_values (indicator_id, village_code, year, seq);
CREATE UNIQUE INDEX idx_iv_one_open ON indicator_values (indicator_id, village_code, year) WHERE status IN ('draft', 'submitted');
CREATE INDEX idx_iv_year_status ON indicator_values (indicator_id, year, status);
CREATE INDEX idx_iv_reviewed_at ON indicator_values (reviewed_at);
