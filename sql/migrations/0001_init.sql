-- placeholder; replaced by the db module's first migration
SELECT 1;
