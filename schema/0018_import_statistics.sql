-- 0018_import_statistics: migration.refresh_import_statistics(), the planner statistics of the raw
-- records alone. Cleansing runs right after an import has bulk-inserted them: planned on the
-- statistics of an emptier table, its set-based statement estimated one row per import and joined
-- each row's cells to every other row's (nested loops, 122 s for 1,500 rows instead of under one).
-- Narrower than refresh_inventory_statistics(), which also analyses assets and dependencies.
CREATE FUNCTION migration.refresh_import_statistics()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    ANALYZE migration.raw_import_records;
END
$$;

REVOKE ALL ON FUNCTION migration.refresh_import_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.refresh_import_statistics() TO migration_app;
