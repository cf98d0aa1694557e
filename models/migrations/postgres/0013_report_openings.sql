-- 0013 report openings: which officer opened which submitted report version's review
-- page (once each), so that a flagged report is approved in bulk only once opened.
-- Frozen: never edit.

CREATE TABLE "report_openings" ("id" bigserial,"version_id" bigint NOT NULL,"user_id" bigint NOT NULL,"opened_at" timestamptz NOT NULL,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_report_openings_version_user" ON "report_openings" ("version_id","user_id");
