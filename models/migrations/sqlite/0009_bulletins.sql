-- 0009 bulletins: issued 通报 kept as they were issued (scope, year, as_of, 发文机关,
-- 文号, date, who issued, the frozen document); a 文号 is used once in a district.
-- Frozen: never edit.

CREATE TABLE `bulletins` (`id` integer PRIMARY KEY AUTOINCREMENT,`district_code` text NOT NULL,`scope_code` text NOT NULL,`scope_name` text NOT NULL,`year` integer NOT NULL,`as_of` datetime NOT NULL,`issuer` text NOT NULL,`document_no` text NOT NULL,`issued_on` text NOT NULL,`issued_by` text NOT NULL,`issued_at` datetime NOT NULL,`content` text NOT NULL);
CREATE INDEX `idx_bulletins_scope` ON `bulletins`(`scope_code`);
CREATE UNIQUE INDEX `idx_bulletins_number` ON `bulletins`(`district_code`,`document_no`);
