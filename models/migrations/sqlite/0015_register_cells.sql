-- 0015 register_cells: the roll-up cells also hold the figures of now that do not
-- come from the yearly report (models/cells_registers.go): titles held and named,
-- open versions, member villages of the 强村公司, the 共富工坊 at the year's end; and
-- rollup_company_cells keeps, per company and cell, its member villages, so that a
-- group's companies are a distinct count of rows. The new figures start at 0: the
-- program recounts every cell at start-up when their definition is newer than the
-- one they were counted by (the setting cells_definition, models/cells_define.go).
-- Frozen: never edit.

ALTER TABLE `rollup_cells` ADD `rated` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `star1` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `star2` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `star3` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `hemei` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `new_star1` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `new_star2` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `new_star3` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `new_hemei` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `submitted` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `draft` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `member_villages` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `workshops_built` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `workshops` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `workshop_employed` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `workshop_low` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar0` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar1` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar2` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar3` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar4` integer NOT NULL DEFAULT 0;
ALTER TABLE `rollup_cells` ADD `wstar5` integer NOT NULL DEFAULT 0;
CREATE TABLE `rollup_company_cells` (`company_id` integer,`street_code` text,`type` text,`year` integer,`district_code` text NOT NULL,`villages` integer NOT NULL,PRIMARY KEY (`company_id`,`street_code`,`type`,`year`));
CREATE INDEX `idx_rollup_company_cells_district_code` ON `rollup_company_cells`(`district_code`);
CREATE TRIGGER `data_revision_rollup_company_cells_insert` AFTER INSERT ON `rollup_company_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_rollup_company_cells_update` AFTER UPDATE ON `rollup_company_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_rollup_company_cells_delete` AFTER DELETE ON `rollup_company_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
-- Whether anything the cells read changed after an instant is a MAX over an index
-- (models/current.go, latestChangesSQL): the register's and the star evaluations'
-- recording, and the report versions' opening and submission.
CREATE INDEX IF NOT EXISTS idx_title_entries_recorded_at ON title_entries (recorded_at);
CREATE INDEX IF NOT EXISTS idx_workshop_stars_recorded_at ON workshop_stars (recorded_at);
CREATE INDEX IF NOT EXISTS idx_rv_created_at ON report_versions (created_at);
CREATE INDEX IF NOT EXISTS idx_rv_submitted_at ON report_versions (submitted_at);
-- A report version's every save, submission and review moves the open versions of
-- its village's cell (submitted, draft): triggers keep them, so that the busiest
-- writes run no more statements. A village not active in the year has no cell to
-- move (the subquery is NULL); a cell exists for every village active in a
-- reporting year. The recount (cells_registers.go) counts the same rows.
CREATE TRIGGER `rollup_cells_open_insert` AFTER INSERT ON `report_versions` WHEN NEW.status IN ('draft', 'submitted') BEGIN UPDATE `rollup_cells` SET `submitted` = `submitted` + (NEW.status = 'submitted'), `draft` = `draft` + (NEW.status = 'draft') WHERE `year` = NEW.year AND `street_code` = (SELECT `street_code` FROM `villages` WHERE `code` = NEW.village_code AND `active_from` <= NEW.year AND (`active_until` IS NULL OR `active_until` >= NEW.year)) AND `type` = (SELECT `type` FROM `villages` WHERE `code` = NEW.village_code); END;
CREATE TRIGGER `rollup_cells_open_update` AFTER UPDATE OF `status` ON `report_versions` WHEN OLD.status IN ('draft', 'submitted') OR NEW.status IN ('draft', 'submitted') BEGIN UPDATE `rollup_cells` SET `submitted` = `submitted` + (NEW.status = 'submitted') - (OLD.status = 'submitted'), `draft` = `draft` + (NEW.status = 'draft') - (OLD.status = 'draft') WHERE `year` = NEW.year AND `street_code` = (SELECT `street_code` FROM `villages` WHERE `code` = NEW.village_code AND `active_from` <= NEW.year AND (`active_until` IS NULL OR `active_until` >= NEW.year)) AND `type` = (SELECT `type` FROM `villages` WHERE `code` = NEW.village_code); END;
CREATE TRIGGER `rollup_cells_open_delete` AFTER DELETE ON `report_versions` WHEN OLD.status IN ('draft', 'submitted') BEGIN UPDATE `rollup_cells` SET `submitted` = `submitted` - (OLD.status = 'submitted'), `draft` = `draft` - (OLD.status = 'draft') WHERE `year` = OLD.year AND `street_code` = (SELECT `street_code` FROM `villages` WHERE `code` = OLD.village_code AND `active_from` <= OLD.year AND (`active_until` IS NULL OR `active_until` >= OLD.year)) AND `type` = (SELECT `type` FROM `villages` WHERE `code` = OLD.village_code); END;
-- The roll-up of now reads the cells of one year, of one district or of all.
CREATE INDEX IF NOT EXISTS idx_rollup_cells_year ON rollup_cells (year, district_code, street_code);
CREATE INDEX IF NOT EXISTS idx_rollup_company_cells_year ON rollup_company_cells (year, district_code, street_code);
