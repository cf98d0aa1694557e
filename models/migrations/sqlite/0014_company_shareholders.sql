-- 0014 company_shareholders: a 强村公司's shareholders other than villages (国资,
-- 平台公司, 企业, 合作社) with their shares and years, kept as history like the
-- memberships (a replaced list is closed, never deleted). Frozen: never edit.

CREATE TABLE `company_shareholders` (`id` integer PRIMARY KEY AUTOINCREMENT,`company_id` integer NOT NULL,`name` text NOT NULL,`kind` text NOT NULL,`share_micro` integer NOT NULL,`from_year` integer NOT NULL,`until_year` integer,`added_at` datetime NOT NULL,`removed_at` datetime);
CREATE INDEX `idx_company_shareholders_company_id` ON `company_shareholders`(`company_id`);
-- It moves the data revision (migration 0011) like the other company tables.
CREATE TRIGGER `data_revision_company_shareholders_insert` AFTER INSERT ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_shareholders_update` AFTER UPDATE ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_shareholders_delete` AFTER DELETE ON `company_shareholders` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
