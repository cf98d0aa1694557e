-- 0011 data_revision: one number that every change to the data the figures read
-- moves, in the changing transaction itself, so that a figure computed at revision
-- N may be kept and served while the revision is still N, by every instance of one
-- database (models/rollup_cache.go). Tables the figures never read (accounts, audit,
-- evidence files, login throttles, bulletins) do not move it.
-- Frozen: never edit.

CREATE TABLE `data_revision` (`id` integer,`n` integer NOT NULL,PRIMARY KEY (`id`));
INSERT INTO `data_revision` (`id`, `n`) VALUES (1, 0);
-- SQLite writes one transaction at a time: a trigger per row and action is enough.
CREATE TRIGGER `data_revision_companies_insert` AFTER INSERT ON `companies` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_companies_update` AFTER UPDATE ON `companies` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_companies_delete` AFTER DELETE ON `companies` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_dividends_insert` AFTER INSERT ON `company_dividends` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_dividends_update` AFTER UPDATE ON `company_dividends` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_dividends_delete` AFTER DELETE ON `company_dividends` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_members_insert` AFTER INSERT ON `company_members` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_members_update` AFTER UPDATE ON `company_members` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_members_delete` AFTER DELETE ON `company_members` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_statuses_insert` AFTER INSERT ON `company_statuses` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_statuses_update` AFTER UPDATE ON `company_statuses` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_statuses_delete` AFTER DELETE ON `company_statuses` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_years_insert` AFTER INSERT ON `company_years` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_years_update` AFTER UPDATE ON `company_years` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_company_years_delete` AFTER DELETE ON `company_years` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_current_reports_insert` AFTER INSERT ON `current_reports` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_current_reports_update` AFTER UPDATE ON `current_reports` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_current_reports_delete` AFTER DELETE ON `current_reports` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_district_settings_insert` AFTER INSERT ON `district_settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_district_settings_update` AFTER UPDATE ON `district_settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_district_settings_delete` AFTER DELETE ON `district_settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_districts_insert` AFTER INSERT ON `districts` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_districts_update` AFTER UPDATE ON `districts` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_districts_delete` AFTER DELETE ON `districts` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_revisions_insert` AFTER INSERT ON `indicator_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_revisions_update` AFTER UPDATE ON `indicator_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_revisions_delete` AFTER DELETE ON `indicator_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_values_insert` AFTER INSERT ON `indicator_values` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_values_update` AFTER UPDATE ON `indicator_values` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_values_delete` AFTER DELETE ON `indicator_values` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicators_insert` AFTER INSERT ON `indicators` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicators_update` AFTER UPDATE ON `indicators` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicators_delete` AFTER DELETE ON `indicators` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_report_versions_insert` AFTER INSERT ON `report_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_report_versions_update` AFTER UPDATE ON `report_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_report_versions_delete` AFTER DELETE ON `report_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_reporting_windows_insert` AFTER INSERT ON `reporting_windows` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_reporting_windows_update` AFTER UPDATE ON `reporting_windows` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_reporting_windows_delete` AFTER DELETE ON `reporting_windows` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_rollup_cells_insert` AFTER INSERT ON `rollup_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_rollup_cells_update` AFTER UPDATE ON `rollup_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_rollup_cells_delete` AFTER DELETE ON `rollup_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_settings_insert` AFTER INSERT ON `settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_settings_update` AFTER UPDATE ON `settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_settings_delete` AFTER DELETE ON `settings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_streets_insert` AFTER INSERT ON `streets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_streets_update` AFTER UPDATE ON `streets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_streets_delete` AFTER DELETE ON `streets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_submit_exceptions_insert` AFTER INSERT ON `submit_exceptions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_submit_exceptions_update` AFTER UPDATE ON `submit_exceptions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_submit_exceptions_delete` AFTER DELETE ON `submit_exceptions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_targets_insert` AFTER INSERT ON `targets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_targets_update` AFTER UPDATE ON `targets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_targets_delete` AFTER DELETE ON `targets` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_title_entries_insert` AFTER INSERT ON `title_entries` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_title_entries_update` AFTER UPDATE ON `title_entries` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_title_entries_delete` AFTER DELETE ON `title_entries` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_village_revisions_insert` AFTER INSERT ON `village_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_village_revisions_update` AFTER UPDATE ON `village_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_village_revisions_delete` AFTER DELETE ON `village_revisions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_villages_insert` AFTER INSERT ON `villages` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_villages_update` AFTER UPDATE ON `villages` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_villages_delete` AFTER DELETE ON `villages` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshop_versions_insert` AFTER INSERT ON `workshop_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshop_versions_update` AFTER UPDATE ON `workshop_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshop_versions_delete` AFTER DELETE ON `workshop_versions` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshops_insert` AFTER INSERT ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshops_update` AFTER UPDATE ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_workshops_delete` AFTER DELETE ON `workshops` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_year_closings_insert` AFTER INSERT ON `year_closings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_year_closings_update` AFTER UPDATE ON `year_closings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_year_closings_delete` AFTER DELETE ON `year_closings` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
