-- 0016 indicator_cells: the catalogue indicators' maintained figures, one row per
-- indicator, street, village type and year (models/indicator_cells.go): the
-- villages active in the year with an approved value, those whose value is above
-- zero, and the sum of the values. Filled here from the history (the latest
-- approved version of each indicator, village and year, of the villages active in
-- that year), then kept current by every approval and master-data change. The
-- table moves the data revision (migration 0011) like the others. Frozen: never edit.

CREATE TABLE "indicator_cells" ("indicator_id" bigint,"street_code" varchar(9),"type" varchar(20),"year" bigint,"district_code" varchar(6) NOT NULL,"reported" bigint NOT NULL,"yes" bigint NOT NULL,"sum_value" bigint NOT NULL,PRIMARY KEY ("indicator_id","street_code","type","year"));
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
CREATE CONSTRAINT TRIGGER "data_revision_indicator_cells" AFTER INSERT OR UPDATE OR DELETE ON "indicator_cells" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
