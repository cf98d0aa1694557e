-- 0018 evidence_revision: the evidence files move the data revision, since the
-- village's report page is kept under it and lists them with the quotas they use
-- (handlers/report_kept.go): every change to them, by whatever path, is seen.
-- Frozen: never edit.

CREATE CONSTRAINT TRIGGER "data_revision_evidence_files" AFTER INSERT OR UPDATE OR DELETE ON "evidence_files" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
