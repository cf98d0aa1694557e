-- 0002 rollup_cells: the maintained roll-up cells, built from the reports already there.
-- Frozen: never edit.

CREATE TABLE "rollup_cells" ("street_code" varchar(9),"type" varchar(20),"year" bigint,"district_code" varchar(6) NOT NULL,"villages" bigint NOT NULL,"reported" bigint NOT NULL,"meets" bigint NOT NULL,"rated" bigint NOT NULL,"star1" bigint NOT NULL,"star2" bigint NOT NULL,"star3" bigint NOT NULL,"hemei" bigint NOT NULL,"total_fen" bigint NOT NULL,"oper_fen" bigint NOT NULL,"assets_fen" bigint NOT NULL,PRIMARY KEY ("street_code","type","year"));
CREATE INDEX IF NOT EXISTS "idx_rollup_cells_district_code" ON "rollup_cells" ("district_code");

-- One cell per (street, type, year) for every reporting year, 2023 to the last open
-- year (the setting last_open_year, never below 2027); 50000000 分 is the 50万元 line.
WITH RECURSIVE years(y) AS (
  SELECT 2023
  UNION ALL
  SELECT y + 1 FROM years
  WHERE y < GREATEST(2027, COALESCE((SELECT CAST(value AS integer) FROM settings WHERE key = 'last_open_year' AND value ~ '^[0-9]{1,9}$'), 2027))
)
INSERT INTO rollup_cells (district_code, street_code, type, year, villages, reported, meets, rated, star1, star2, star3, hemei, total_fen, oper_fen, assets_fen)
SELECT v.district_code, v.street_code, v.type, years.y, COUNT(*), COUNT(c.version_id),
  SUM(CASE WHEN c.operating_fen >= 50000000 THEN 1 ELSE 0 END), SUM(CASE WHEN c.star_rating >= 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.star_rating = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN c.star_rating = 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.star_rating = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN c.hemei_built THEN 1 ELSE 0 END),
  COALESCE(SUM(c.total_fen), 0), COALESCE(SUM(c.operating_fen), 0), COALESCE(SUM(c.assets_fen), 0)
FROM years
JOIN villages v ON v.active_from <= years.y AND (v.active_until IS NULL OR v.active_until >= years.y)
LEFT JOIN current_reports c ON c.village_code = v.code AND c.year = years.y
GROUP BY v.district_code, v.street_code, v.type, years.y;
