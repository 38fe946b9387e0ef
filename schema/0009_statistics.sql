-- 0009_statistics: migration.refresh_inventory_statistics(), which lets the application role
-- refresh the planner statistics of the inventory tables right after a bulk load. Without it the
-- next set-based statements are planned on stale statistics (autovacuum runs later) and can turn
-- into nested loops: 10,000 assets took 90 s instead of 2 s in bench/e2e.py.
-- ANALYZE needs the table owner, hence SECURITY DEFINER with a pinned search_path.
CREATE FUNCTION migration.refresh_inventory_statistics()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    ANALYZE migration.raw_import_records;
    ANALYZE migration.assets;
    ANALYZE migration.asset_dependencies;
END
$$;

REVOKE ALL ON FUNCTION migration.refresh_inventory_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.refresh_inventory_statistics() TO migration_app;
