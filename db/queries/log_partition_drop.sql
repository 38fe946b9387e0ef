-- Detach and drop log partition $1 (it must end at or before $2): whether it was there to drop.
SELECT migration.drop_log_partition($1, $2)
