-- 0004 year_closings: the district's closing of a year (a year is in progress until
-- its reporting window closes or the district closes it). Frozen: never edit.

CREATE TABLE "year_closings" ("id" bigserial,"district_code" varchar(6) NOT NULL,"year" bigint NOT NULL,"closed_at" timestamptz NOT NULL,"closed_by" varchar(100) NOT NULL DEFAULT '',PRIMARY KEY ("id"));
CREATE INDEX "idx_year_closings_district" ON "year_closings"("district_code","year","closed_at");
