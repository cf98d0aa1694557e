-- 0018 evidence_revision: the evidence files move the data revision, since the
-- village's report page is kept under it and lists them with the quotas they use
-- (handlers/report_kept.go): every change to them, by whatever path, is seen.
-- Frozen: never edit.

CREATE TRIGGER `data_revision_evidence_files_insert` AFTER INSERT ON `evidence_files` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_evidence_files_update` AFTER UPDATE ON `evidence_files` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `data_revision_evidence_files_delete` AFTER DELETE ON `evidence_files` BEGIN UPDATE `data_revision` SET `n` = `n` + 1 WHERE `id` = 1; END;
