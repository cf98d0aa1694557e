-- 0014 shareholders_workshop_sites: a 强村公司's shareholders other than villages
-- (国资, 平台公司, 企业, 合作社) with their shares and years, kept as history like the
-- memberships; a 共富工坊 in a 社区, 园区 or enterprise registered under its street
-- (village_code or street_code, one of them); the star evaluations (星级评定) as
-- history, the evaluations made so far carried over (recorded at the evaluation
-- day's start, Asia/Shanghai). The new tables move the data revision (migration 0011) like the
-- others. Frozen: never edit.

CREATE TABLE "company_shareholders" ("id" bigserial,"company_id" bigint NOT NULL,"name" varchar(100) NOT NULL,"kind" varchar(10) NOT NULL,"share_micro" bigint NOT NULL,"from_year" bigint NOT NULL,"until_year" bigint,"added_at" timestamptz NOT NULL,"removed_at" timestamptz,PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_company_shareholders_company_id" ON "company_shareholders" ("company_id");
CREATE CONSTRAINT TRIGGER "data_revision_company_shareholders" AFTER INSERT OR UPDATE OR DELETE ON "company_shareholders" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
ALTER TABLE "workshops" ALTER COLUMN "village_code" DROP NOT NULL;
ALTER TABLE "workshops" ADD "street_code" varchar(9);
ALTER TABLE "workshops" ADD "site" varchar(10) NOT NULL DEFAULT '村';
ALTER TABLE "workshops" ADD "site_name" varchar(100) NOT NULL DEFAULT '';
ALTER TABLE "workshops" ADD CONSTRAINT "fk_workshops_street" FOREIGN KEY ("street_code") REFERENCES "streets"("code") ON DELETE RESTRICT ON UPDATE RESTRICT;
CREATE INDEX IF NOT EXISTS "idx_workshops_street_code" ON "workshops" ("street_code");
CREATE TABLE "workshop_stars" ("id" bigserial,"workshop_id" bigint NOT NULL,"level" bigint NOT NULL,"evaluated_on" varchar(10) NOT NULL,"recorded_at" timestamptz NOT NULL,"recorded_by" varchar(100) NOT NULL DEFAULT '',PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_workshop_stars_workshop_id" ON "workshop_stars" ("workshop_id");
CREATE CONSTRAINT TRIGGER "data_revision_workshop_stars" AFTER INSERT OR UPDATE OR DELETE ON "workshop_stars" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_revision_bump();
INSERT INTO workshop_stars (workshop_id, level, evaluated_on, recorded_at, recorded_by)
  SELECT id, star_level, star_evaluated_on, (star_evaluated_on || ' 00:00:00+08')::timestamptz, star_set_by FROM workshops WHERE star_evaluated_on <> '';
