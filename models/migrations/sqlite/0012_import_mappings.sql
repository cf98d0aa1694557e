-- 0012 import_mappings: a district's mapping of a sheet's columns onto an import's
-- fields, chosen once on the import page and kept under the sheet's header row (its
-- cells' SHA-256), so that the next sheet with that header is read the same way.
-- Frozen: never edit.

CREATE TABLE `import_mappings` (`id` integer PRIMARY KEY AUTOINCREMENT,`district_code` text NOT NULL,`kind` text NOT NULL,`header_key` text NOT NULL,`header` text NOT NULL,`fields` text NOT NULL,`unit` text NOT NULL DEFAULT "",`saved_by` text NOT NULL,`saved_at` datetime NOT NULL);
CREATE UNIQUE INDEX `idx_import_mappings_header` ON `import_mappings`(`district_code`,`kind`,`header_key`);
