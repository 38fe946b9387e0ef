-- Creates the master flow row of a launched engagement (idempotent). Temporal guarantees one live
-- master workflow per engagement, so any other still-live row is stale and is marked cancelled.
WITH superseded AS (
    UPDATE migration.crewai_flow_state_extensions
       SET status = 'cancelled', completed_at = $6, awaiting_approval_phase = NULL,
           error_message = 'superseded by master flow ' || $3::text
     WHERE engagement_id = $2 AND flow_id <> $3 AND status NOT IN ('completed', 'failed', 'cancelled')
)
INSERT INTO migration.crewai_flow_state_extensions
    (client_account_id, engagement_id, flow_id, status, temporal_workflow_id, temporal_run_id,
     flow_configuration, started_at)
VALUES ($1, $2, $3, 'running', $4, $5, $7, $6)
ON CONFLICT (flow_id) DO NOTHING
