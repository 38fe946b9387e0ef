INSERT INTO migration.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)
