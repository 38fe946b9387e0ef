-- Marks an import as staged for a discovery flow: its header, row count and lineage to the flows.
UPDATE migration.data_imports
SET status = 'staging', source_columns = $2, total_records = $3, master_flow_id = $4,
    discovery_flow_id = $5, started_at = coalesce(started_at, now()), error_summary = NULL
WHERE id = $1
