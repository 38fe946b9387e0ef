-- The current client's own archive delay in days (NULL or no row: the platform default).
SELECT archive_after_days FROM migration.retention_policies
