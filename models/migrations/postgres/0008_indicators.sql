-- 0008 indicators: the district's indicator catalogue (definitions with their
-- history) and each village's value of an indicator for a year, a versioned series
-- like the yearly report (one open version, unique seq). Frozen: never edit.

CREATE TABLE "indicators" ("id" bigserial,"district_code" varchar(6) NOT NULL,"code" varchar(40) NOT NULL,"name" varchar(100) NOT NULL,"kind" varchar(10) NOT NULL,"unit" varchar(20) NOT NULL DEFAULT '',"entered_by" varchar(10) NOT NULL,"from_year" bigint NOT NULL,"until_year" bigint,"rollup" varchar(10) NOT NULL,"plan" boolean NOT NULL DEFAULT false,"wording" varchar(2000) NOT NULL DEFAULT '',"version" bigint NOT NULL,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "idx_indicator_code" ON "indicators" ("district_code","code");
CREATE TABLE "indicator_revisions" ("id" bigserial,"indicator_id" bigint NOT NULL,"name" varchar(100) NOT NULL,"kind" varchar(10) NOT NULL,"unit" varchar(20) NOT NULL DEFAULT '',"entered_by" varchar(10) NOT NULL,"from_year" bigint NOT NULL,"until_year" bigint,"rollup" varchar(10) NOT NULL,"plan" boolean NOT NULL DEFAULT false,"wording" varchar(2000) NOT NULL DEFAULT '',"version" bigint NOT NULL,"valid_from" timestamptz NOT NULL,"valid_to" timestamptz,"recorded_by" varchar(100) NOT NULL DEFAULT '',PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_indicator_revisions_indicator_id" ON "indicator_revisions" ("indicator_id");
CREATE TABLE "indicator_values" ("id" bigserial,"indicator_id" bigint NOT NULL,"village_code" varchar(12) NOT NULL,"year" bigint NOT NULL,"seq" bigint NOT NULL,"status" varchar(10) NOT NULL,"version" bigint NOT NULL,"created_by_id" bigint NOT NULL,"submitted_at" timestamptz,"submitted_by" varchar(100) NOT NULL DEFAULT '',"reviewed_at" timestamptz,"reviewer_id" bigint,"reviewer" varchar(100) NOT NULL DEFAULT '',"reject_reason" varchar(2000) NOT NULL DEFAULT '',"value" bigint NOT NULL,"note" varchar(8000) NOT NULL DEFAULT '',"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_indicator_values_village" FOREIGN KEY ("village_code") REFERENCES "villages"("code") ON DELETE RESTRICT ON UPDATE RESTRICT);
CREATE INDEX IF NOT EXISTS "idx_indicator_values_village_code" ON "indicator_values" ("village_code");
CREATE UNIQUE INDEX idx_iv_seq ON indicator_values (indicator_id, village_code, year, seq);
CREATE UNIQUE INDEX idx_iv_one_open ON indicator_values (indicator_id, village_code, year) WHERE status IN ('draft', 'submitted');
CREATE INDEX idx_iv_year_status ON indicator_values (indicator_id, year, status);
CREATE INDEX idx_iv_reviewed_at ON indicator_values (reviewed_at);
