-- The current client's engagements with their latest master flow, newest flow first.
SELECT e.id, e.name, e.status, e.start_date, e.approval_policy,
       m.flow_id AS master_flow_id, m.status AS flow_status, m.current_phase, m.awaiting_approval_phase
FROM migration.engagements e
LEFT JOIN LATERAL (
    SELECT flow_id, status, current_phase, awaiting_approval_phase
    FROM migration.crewai_flow_state_extensions
    WHERE engagement_id = e.id
    ORDER BY created_at DESC
    LIMIT 1
) m ON true
ORDER BY e.name
