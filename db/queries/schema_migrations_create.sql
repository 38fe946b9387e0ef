-- Bookkeeping of applied schema files: one row per version with the checksum it was applied with.
CREATE TABLE IF NOT EXISTS migration.schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
