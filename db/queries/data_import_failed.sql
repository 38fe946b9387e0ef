-- Records why an import was refused as a whole (nothing of it is kept in raw_import_records), and
-- the flows that tried it, so `imports list` shows the failure. $1 import, $2 message, $3 master
-- flow, $4 discovery flow.
UPDATE migration.data_imports
SET status = 'failed', error_summary = jsonb_build_object('error', $2::text), completed_at = now(),
    master_flow_id = $3, discovery_flow_id = $4, started_at = coalesce(started_at, now())
WHERE id = $1
