-- 0014 company_shareholders: a 强村公司's shareholders other than villages (国资,
-- 平台公司, 企业, 合作社) with their shares and years, kept as history like the
-- memberships (a replaced list is closed, never deleted). Frozen: never edit.

CREATE TABLE "company_shareholders" ("id" bigserial,"company_id" bigint NOT NULL,"name" varchar(100) NOT NULL,"kind" varchar(10) NOT NULL,"share_micro" bigint NOT NULL,"from_year" bigint NOT NULL,"until_year" bigint,"added_at" timestamptz NOT NULL,"removed_at" timestamptz,PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_company_shareholders_company_id" ON "company_shareholders" ("company_id");
-- It moves the data revision (migration 0011) like the other company tables.
CREATE CONSTRAINT TRIGGER "data_revision_company_shareholders" AFTER INSERT OR UPDATE OR DELETE ON "company_shareholders" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
