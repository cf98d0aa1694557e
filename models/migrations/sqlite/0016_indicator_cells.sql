-- 0016 indicator_cells: the catalogue indicators' maintained figures, one row per
-- indicator, street, village type and year (models/indicator_cells.go): the
-- villages active in the year with an approved value, those whose value is above
-- zero, and the sum of the values. Filled here from the history (the latest
-- approved version of each indicator, village and year, of the villages active in
-- that year), then kept current by every approval and master-data change. The
-- table moves the data revision (migration 0011) like the others. Frozen: never edit.

CREATE TABLE `indicator_cells` (`indicator_id` integer,`street_code` text,`type` text,`year` integer,`district_code` text NOT NULL,`reported` integer NOT NULL,`yes` integer NOT NULL,`sum_value` integer NOT NULL,PRIMARY KEY (`indicator_id`,`street_code`,`type`,`year`));
INSERT INTO indicator_cells (indicator_id, street_code, type, year, district_code, reported, yes, sum_value)
SELECT cv.indicator_id, v.street_code, v.type, cv.year, v.district_code,
  COUNT(*), SUM(CASE WHEN cv.value > 0 THEN 1 ELSE 0 END), SUM(cv.value)
FROM (SELECT iv.indicator_id, iv.village_code, iv.year, iv.value
  FROM indicator_values iv
  JOIN (SELECT indicator_id, village_code, year, MAX(seq) AS seq FROM indicator_values WHERE status = 'approved' GROUP BY indicator_id, village_code, year) la
    ON la.indicator_id = iv.indicator_id AND la.village_code = iv.village_code AND la.year = iv.year AND la.seq = iv.seq) cv
JOIN villages v ON v.code = cv.village_code
WHERE v.active_from <= cv.year AND (v.active_until IS NULL OR v.active_until >= cv.year)
GROUP BY cv.indicator_id, v.district_code, v.street_code, v.type, cv.year;
CREATE TRIGGER `data_revision_indicator_cells_insert` AFTER INSERT ON `indicator_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_cells_update` AFTER UPDATE ON `indicator_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_indicator_cells_delete` AFTER DELETE ON `indicator_cells` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
