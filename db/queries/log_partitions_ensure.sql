-- Create the $3 partitions of log $1 from the period containing $2 (missing ones only; rows of their ranges
-- move out of the default partition): how many were created.
SELECT migration.ensure_partitions($1, $2, $3)
