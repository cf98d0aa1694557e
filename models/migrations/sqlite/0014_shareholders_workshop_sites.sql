-- 0014 shareholders_workshop_sites: a 强村公司's shareholders other than villages
-- (国资, 平台公司, 企业, 合作社) with their shares and years, kept as history like the
-- memberships; a 共富工坊 in a 社区, 园区 or enterprise registered under its street
-- (village_code or street_code, one of them; the table is rebuilt, since SQLite
-- cannot drop a NOT NULL); the star evaluations (星级评定) as history, the
-- evaluations made so far carried over (recorded at the evaluation day's start,
-- Asia/Shanghai). The new tables move the data revision (migration 0011) like the
-- others, and the rebuilt workshops table gets its triggers back. Frozen: never edit.

CREATE TABLE `company_shareholders` (`id` integer PRIMARY KEY AUTOINCREMENT,`company_id` integer NOT NULL,`name` text NOT NULL,`kind` text NOT NULL,`share_micro` integer NOT NULL,`from_year` integer NOT NULL,`until_year` integer,`added_at` datetime NOT NULL,`removed_at` datetime);
CREATE INDEX `idx_company_shareholders_company_id` ON `company_shareholders`(`company_id`);
CREATE TRIGGER `data_revision_company_shareholders_insert` AFTER INSERT ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_shareholders_update` AFTER UPDATE ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_shareholders_delete` AFTER DELETE ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TABLE `workshops__0013` (`id` integer PRIMARY KEY AUTOINCREMENT,`village_code` text,`street_code` text,`site` text NOT NULL DEFAULT "村",`site_name` text NOT NULL DEFAULT "",`star_level` integer NOT NULL DEFAULT 0,`star_evaluated_on` text NOT NULL DEFAULT "",`star_set_by` text NOT NULL DEFAULT "",`created_at` datetime,CONSTRAINT `fk_workshops_village` FOREIGN KEY (`village_code`) REFERENCES `villages`(`code`) ON DELETE RESTRICT ON UPDATE RESTRICT,CONSTRAINT `fk_workshops_street` FOREIGN KEY (`street_code`) REFERENCES `streets`(`code`) ON DELETE RESTRICT ON UPDATE RESTRICT);
INSERT INTO `workshops__0013` (`id`, `village_code`, `street_code`, `site`, `site_name`, `star_level`, `star_evaluated_on`, `star_set_by`, `created_at`)
  SELECT `id`, `village_code`, NULL, '村', '', `star_level`, `star_evaluated_on`, `star_set_by`, `created_at` FROM `workshops`;
DROP TABLE `workshops`;
ALTER TABLE `workshops__0013` RENAME TO `workshops`;
CREATE INDEX `idx_workshops_village_code` ON `workshops`(`village_code`);
CREATE INDEX `idx_workshops_street_code` ON `workshops`(`street_code`);
CREATE TRIGGER `data_revision_workshops_insert` AFTER INSERT ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshops_update` AFTER UPDATE ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshops_delete` AFTER DELETE ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TABLE `workshop_stars` (`id` integer PRIMARY KEY AUTOINCREMENT,`workshop_id` integer NOT NULL,`level` integer NOT NULL,`evaluated_on` text NOT NULL,`recorded_at` datetime NOT NULL,`recorded_by` text NOT NULL DEFAULT "");
CREATE INDEX `idx_workshop_stars_workshop_id` ON `workshop_stars`(`workshop_id`);
CREATE TRIGGER `data_revision_workshop_stars_insert` AFTER INSERT ON `workshop_stars` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshop_stars_update` AFTER UPDATE ON `workshop_stars` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshop_stars_delete` AFTER DELETE ON `workshop_stars` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
INSERT INTO workshop_stars (workshop_id, level, evaluated_on, recorded_at, recorded_by)
  SELECT id, star_level, star_evaluated_on, datetime(star_evaluated_on, '-8 hours'), star_set_by FROM workshops WHERE star_evaluated_on <> '';
