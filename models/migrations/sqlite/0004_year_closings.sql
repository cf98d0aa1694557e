-- 0004 year_closings: the district's closing of a year (a year is in progress until
-- its reporting window closes or the district closes it). Frozen: never edit.

CREATE TABLE `year_closings` (`id` integer PRIMARY KEY AUTOINCREMENT,`district_code` text NOT NULL,`year` integer NOT NULL,`closed_at` datetime NOT NULL,`closed_by` text NOT NULL DEFAULT "");
CREATE INDEX `idx_year_closings_district` ON `year_closings`(`district_code`,`year`,`closed_at`);
