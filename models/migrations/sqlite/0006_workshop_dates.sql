-- 0006 workshop_dates: a 共富工坊's founding date (建成日期) and closing date, kept
-- with each version like its other details. Frozen: never edit.

ALTER TABLE `workshop_versions` ADD `founded_on` datetime;
ALTER TABLE `workshop_versions` ADD `closed_on` datetime;
