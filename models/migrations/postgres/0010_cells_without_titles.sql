-- 0010 cells_without_titles: the roll-up cells hold the report's figures only
-- (models/figures.go). Titles are counted from the title register (migration 0005),
-- so the cells' title columns, copied from the reports, are dropped.
-- Frozen: never edit.

ALTER TABLE "rollup_cells" DROP COLUMN "rated";
ALTER TABLE "rollup_cells" DROP COLUMN "star1";
ALTER TABLE "rollup_cells" DROP COLUMN "star2";
ALTER TABLE "rollup_cells" DROP COLUMN "star3";
ALTER TABLE "rollup_cells" DROP COLUMN "hemei";
