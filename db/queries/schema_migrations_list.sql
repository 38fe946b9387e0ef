SELECT version, name, checksum FROM migration.schema_migrations ORDER BY version
