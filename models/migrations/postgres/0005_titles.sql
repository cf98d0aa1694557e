-- 0005 titles: the title register (星级美丽乡村, 和美乡村 named by the district).
-- The reported titles are carried over by this version's frozen Go step
-- (migration_0005_titles.go). Frozen: never edit.

CREATE TABLE "title_entries" ("id" bigserial,"village_code" varchar(12) NOT NULL,"kind" varchar(10) NOT NULL,"title" varchar(20) NOT NULL,"level" bigint NOT NULL,"year" bigint NOT NULL,"on_date" timestamptz NOT NULL,"document_no" varchar(100) NOT NULL DEFAULT '',"revokes_id" bigint,"reason" varchar(500) NOT NULL DEFAULT '',"migrated" boolean NOT NULL DEFAULT false,"recorded_at" timestamptz NOT NULL,"recorded_by" varchar(100) NOT NULL DEFAULT '',PRIMARY KEY ("id"));
CREATE INDEX "idx_title_entries_village" ON "title_entries"("village_code","recorded_at");
CREATE INDEX "idx_title_entries_revokes" ON "title_entries"("revokes_id");
