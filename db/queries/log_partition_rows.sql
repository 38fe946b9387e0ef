-- Every row of log partition $1 as JSON text, for its export.
SELECT line FROM migration.log_partition_rows($1) AS line
