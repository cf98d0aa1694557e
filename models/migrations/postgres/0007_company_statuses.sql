-- 0007 company_statuses: a 强村公司's dissolutions and restorations as dated history
-- entries (restoring used to clear dissolved_at and so changed past answers); the
-- companies dissolved now get their entry. Frozen: never edit.

CREATE TABLE "company_statuses" ("id" bigserial,"company_id" bigint NOT NULL,"kind" varchar(10) NOT NULL,"on_date" timestamptz NOT NULL,"recorded_at" timestamptz NOT NULL,"recorded_by" varchar(100) NOT NULL DEFAULT '',PRIMARY KEY ("id"));
CREATE INDEX "idx_company_statuses_company" ON "company_statuses"("company_id","recorded_at");
CREATE INDEX "idx_company_statuses_recorded" ON "company_statuses"("recorded_at");
INSERT INTO company_statuses (company_id, kind, on_date, recorded_at, recorded_by)
  SELECT id, 'dissolved', dissolved_at, dissolved_at, '迁移' FROM companies WHERE dissolved_at IS NOT NULL;
