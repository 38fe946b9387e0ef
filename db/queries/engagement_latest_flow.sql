-- The current engagement's newest master flow.
SELECT flow_id AS master_flow_id, status AS flow_status, current_phase, awaiting_approval_phase
FROM migration.crewai_flow_state_extensions
ORDER BY created_at DESC
LIMIT 1
