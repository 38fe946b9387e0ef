DELETE FROM migration.data_imports WHERE id = $1
