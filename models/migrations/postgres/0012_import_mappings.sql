-- 0012 import_mappings: a district's mapping of a sheet's columns onto an import's
-- fields, chosen once on the import page and kept under the sheet's header row (its
-- cells' SHA-256), so that the next sheet with that header is read the same way.
-- Frozen: never edit.

CREATE TABLE "import_mappings" ("id" bigserial,"district_code" varchar(6) NOT NULL,"kind" varchar(20) NOT NULL,"header_key" varchar(64) NOT NULL,"header" text NOT NULL,"fields" text NOT NULL,"unit" varchar(10) NOT NULL DEFAULT '',"saved_by" varchar(100) NOT NULL,"saved_at" timestamptz NOT NULL,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_import_mappings_header" ON "import_mappings" ("district_code","kind","header_key");
