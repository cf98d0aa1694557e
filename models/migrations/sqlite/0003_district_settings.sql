-- 0003 district_settings: a district's settings with history (the ranking's yellow
-- band first), taken out of the targets table where the band was a row of year 0;
-- and the plan's 2023 星级美丽乡村 lines (32 new: 26 one-star, 6 three-star) for
-- every district. Frozen: never edit.

CREATE TABLE `district_settings` (`id` integer PRIMARY KEY AUTOINCREMENT,`district_code` text NOT NULL,`key` text NOT NULL,`value` integer NOT NULL,`recorded_at` datetime NOT NULL,`recorded_by` text NOT NULL DEFAULT "");
CREATE INDEX `idx_district_settings_key` ON `district_settings`(`district_code`,`key`,`recorded_at`);

INSERT INTO district_settings (district_code, key, value, recorded_at)
  SELECT scope_code, 'ranking_yellow_band', value, recorded_at FROM targets WHERE indicator = 'ranking_yellow_band';
DELETE FROM targets WHERE indicator = 'ranking_yellow_band';

INSERT INTO targets (scope_code, indicator, year, value, note, recorded_at)
  SELECT d.code, 'star_new', 2023, 32, '2023 年新增星级美丽乡村 32 个', '2000-01-01 00:00:00+00:00' FROM districts d
  WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.scope_code = d.code AND t.indicator = 'star_new' AND t.year = 2023);
INSERT INTO targets (scope_code, indicator, year, value, note, recorded_at)
  SELECT d.code, 'star_new_1', 2023, 26, '其中一星级 26 个', '2000-01-01 00:00:00+00:00' FROM districts d
  WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.scope_code = d.code AND t.indicator = 'star_new_1' AND t.year = 2023);
INSERT INTO targets (scope_code, indicator, year, value, note, recorded_at)
  SELECT d.code, 'star_new_3', 2023, 6, '其中三星级 6 个', '2000-01-01 00:00:00+00:00' FROM districts d
  WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.scope_code = d.code AND t.indicator = 'star_new_3' AND t.year = 2023);
