-- 0009 bulletins: issued 通报 kept as they were issued (scope, year, as_of, 发文机关,
-- 文号, date, who issued, the frozen document); a 文号 is used once in a district.
-- Frozen: never edit.

CREATE TABLE "bulletins" ("id" bigserial,"district_code" varchar(6) NOT NULL,"scope_code" varchar(12) NOT NULL,"scope_name" varchar(100) NOT NULL,"year" bigint NOT NULL,"as_of" timestamptz NOT NULL,"issuer" varchar(100) NOT NULL,"document_no" varchar(60) NOT NULL,"issued_on" varchar(10) NOT NULL,"issued_by" varchar(100) NOT NULL,"issued_at" timestamptz NOT NULL,"content" text NOT NULL,PRIMARY KEY ("id"));
CREATE INDEX "idx_bulletins_scope" ON "bulletins" ("scope_code");
CREATE UNIQUE INDEX "idx_bulletins_number" ON "bulletins" ("district_code","document_no");
