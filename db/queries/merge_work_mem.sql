-- Memory for the merge's sorts and hashes, for this transaction only (the 4 MB default spills
-- 100k-record imports to disk).
SELECT set_config('work_mem', '64MB', true)
