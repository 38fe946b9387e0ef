-- A supplement file (disks, performance, tags, NICs) is complete once joined into its inventory file.
UPDATE migration.data_imports
SET status = 'completed', master_flow_id = $2, discovery_flow_id = $3, started_at = coalesce(started_at, now()),
    completed_at = now(), error_summary = NULL
WHERE id = $1
