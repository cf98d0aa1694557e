-- 0011 data_revision: one number that every change to the data the figures read
-- moves, in the changing transaction itself, so that a figure computed at revision
-- N may be kept and served while the revision is still N, by every instance of one
-- database (models/rollup_cache.go). Tables the figures never read (accounts, audit,
-- evidence files, login throttles, bulletins) do not move it.
-- Frozen: never edit.

CREATE TABLE "data_revision" ("id" bigint,"n" bigint NOT NULL,PRIMARY KEY ("id"));
INSERT INTO "data_revision" ("id", "n") VALUES (1, 0);
-- The number moves once per transaction, at its commit (a deferred constraint
-- trigger): taking the row's lock at the commit, after every other lock the
-- transaction holds, cannot deadlock with another writer, and a reader sees the new
-- number exactly when it sees the change. cunji.revision_tx marks the transaction
-- that already moved it.
CREATE FUNCTION data_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF current_setting('cunji.revision_tx', true) IS DISTINCT FROM txid_current()::text THEN PERFORM set_config('cunji.revision_tx', txid_current()::text, true); UPDATE data_revision SET n = n + 1 WHERE id = 1; END IF; RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER "data_revision_companies" AFTER INSERT OR UPDATE OR DELETE ON "companies" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_company_dividends" AFTER INSERT OR UPDATE OR DELETE ON "company_dividends" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_company_members" AFTER INSERT OR UPDATE OR DELETE ON "company_members" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_company_statuses" AFTER INSERT OR UPDATE OR DELETE ON "company_statuses" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_company_years" AFTER INSERT OR UPDATE OR DELETE ON "company_years" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_current_reports" AFTER INSERT OR UPDATE OR DELETE ON "current_reports" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_district_settings" AFTER INSERT OR UPDATE OR DELETE ON "district_settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_districts" AFTER INSERT OR UPDATE OR DELETE ON "districts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_indicator_revisions" AFTER INSERT OR UPDATE OR DELETE ON "indicator_revisions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_indicator_values" AFTER INSERT OR UPDATE OR DELETE ON "indicator_values" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_indicators" AFTER INSERT OR UPDATE OR DELETE ON "indicators" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_report_versions" AFTER INSERT OR UPDATE OR DELETE ON "report_versions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_reporting_windows" AFTER INSERT OR UPDATE OR DELETE ON "reporting_windows" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_rollup_cells" AFTER INSERT OR UPDATE OR DELETE ON "rollup_cells" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_settings" AFTER INSERT OR UPDATE OR DELETE ON "settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_streets" AFTER INSERT OR UPDATE OR DELETE ON "streets" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_submit_exceptions" AFTER INSERT OR UPDATE OR DELETE ON "submit_exceptions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_targets" AFTER INSERT OR UPDATE OR DELETE ON "targets" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_title_entries" AFTER INSERT OR UPDATE OR DELETE ON "title_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_village_revisions" AFTER INSERT OR UPDATE OR DELETE ON "village_revisions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_villages" AFTER INSERT OR UPDATE OR DELETE ON "villages" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_workshop_versions" AFTER INSERT OR UPDATE OR DELETE ON "workshop_versions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_workshops" AFTER INSERT OR UPDATE OR DELETE ON "workshops" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
CREATE CONSTRAINT TRIGGER "data_revision_year_closings" AFTER INSERT OR UPDATE OR DELETE ON "year_closings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
