-- Fresh planner statistics after a bulk load (see schema/0009_statistics.sql).
SELECT migration.refresh_inventory_statistics()
