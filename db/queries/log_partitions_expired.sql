-- The partitions of log $1 ending at or before $2, oldest first.
SELECT partition, upper_bound FROM migration.expired_log_partitions($1, $2)
