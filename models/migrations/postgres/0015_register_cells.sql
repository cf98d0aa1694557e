-- 0015 register_cells: the roll-up cells also hold the figures of now that do not
-- come from the yearly report (models/cells_registers.go): titles held and named,
-- open versions, member villages of the 强村公司, the 共富工坊 at the year's end; and
-- rollup_company_cells keeps, per company and cell, its member villages, so that a
-- group's companies are a distinct count of rows. The new figures start at 0: the
-- program recounts every cell at start-up when their definition is newer than the
-- one they were counted by (the setting cells_definition, models/cells_define.go).
-- Frozen: never edit.

ALTER TABLE "rollup_cells" ADD "rated" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "star1" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "star2" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "star3" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "hemei" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "new_star1" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "new_star2" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "new_star3" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "new_hemei" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "submitted" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "draft" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "member_villages" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "workshops_built" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "workshops" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "workshop_employed" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "workshop_low" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar0" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar1" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar2" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar3" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar4" bigint NOT NULL DEFAULT 0;
ALTER TABLE "rollup_cells" ADD "wstar5" bigint NOT NULL DEFAULT 0;
CREATE TABLE "rollup_company_cells" ("company_id" bigint,"street_code" varchar(9),"type" varchar(20),"year" bigint,"district_code" varchar(6) NOT NULL,"villages" bigint NOT NULL,PRIMARY KEY ("company_id","street_code","type","year"));
CREATE INDEX IF NOT EXISTS "idx_rollup_company_cells_district_code" ON "rollup_company_cells" ("district_code");
CREATE CONSTRAINT TRIGGER "data_revision_rollup_company_cells" AFTER INSERT OR UPDATE OR DELETE ON "rollup_company_cells" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
-- Whether anything the cells read changed after an instant is a MAX over an index
-- (models/current.go, latestChangesSQL): the register's and the star evaluations'
-- recording, and the report versions' opening and submission.
-- An upgrade runs every migration in one transaction: the revision's deferred
-- triggers fire now for rows earlier migrations wrote, since PostgreSQL creates no
-- index on a table with trigger events pending; they are deferred again after.
SET CONSTRAINTS "data_revision_title_entries", "data_revision_workshop_stars", "data_revision_report_versions" IMMEDIATE;
CREATE INDEX IF NOT EXISTS idx_title_entries_recorded_at ON title_entries (recorded_at);
CREATE INDEX IF NOT EXISTS idx_workshop_stars_recorded_at ON workshop_stars (recorded_at);
CREATE INDEX IF NOT EXISTS idx_rv_created_at ON report_versions (created_at);
CREATE INDEX IF NOT EXISTS idx_rv_submitted_at ON report_versions (submitted_at);
SET CONSTRAINTS "data_revision_title_entries", "data_revision_workshop_stars", "data_revision_report_versions" DEFERRED;
-- A report version's every save, submission and review moves the open versions of
-- its village's cell (submitted, draft): a trigger keeps them, so that the busiest
-- writes run no more statements. A village not active in the year has no cell to
-- move; a cell exists for every village active in a reporting year. The recount
-- (cells_registers.go) counts the same rows.
CREATE FUNCTION rollup_cells_open() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE s bigint := 0; d bigint := 0; r record; BEGIN IF TG_OP <> 'INSERT' THEN r := OLD; s := s - (OLD.status = 'submitted')::int; d := d - (OLD.status = 'draft')::int; END IF; IF TG_OP <> 'DELETE' THEN r := NEW; s := s + (NEW.status = 'submitted')::int; d := d + (NEW.status = 'draft')::int; END IF; IF s <> 0 OR d <> 0 THEN UPDATE rollup_cells c SET submitted = c.submitted + s, draft = c.draft + d FROM villages v WHERE v.code = r.village_code AND v.active_from <= r.year AND (v.active_until IS NULL OR v.active_until >= r.year) AND c.street_code = v.street_code AND c.type = v.type AND c.year = r.year; END IF; RETURN NULL; END $$;
CREATE TRIGGER "rollup_cells_open" AFTER INSERT OR DELETE OR UPDATE OF "status" ON "report_versions" FOR EACH ROW EXECUTE FUNCTION rollup_cells_open();
-- The roll-up of now reads the cells of one year, of one district or of all.
CREATE INDEX IF NOT EXISTS idx_rollup_cells_year ON rollup_cells (year, district_code, street_code);
CREATE INDEX IF NOT EXISTS idx_rollup_company_cells_year ON rollup_company_cells (year, district_code, street_code);
