-- Fresh planner statistics of the raw records after an import's bulk insert (schema/0018).
SELECT migration.refresh_import_statistics()
