-- Applies a master-level transition to the master row. $10 is the ordered list of phases.
UPDATE migration.crewai_flow_state_extensions m SET
    status = coalesce($3, m.status),
    current_phase = coalesce($4, m.current_phase),
    phase_flow_ids = CASE WHEN $5::uuid IS NULL THEN m.phase_flow_ids
                          ELSE m.phase_flow_ids || jsonb_build_object($4::text, $5::uuid) END,
    phases_completed = CASE
        WHEN $2 = 'approved' AND NOT m.phases_completed ? $4::text
            THEN m.phases_completed || to_jsonb($4::text)
        WHEN $2 = 'rolled_back'
            THEN (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY array_position($10::text[], p)), '[]'::jsonb)
                    FROM jsonb_array_elements_text(m.phases_completed) AS p
                   WHERE array_position($10::text[], p) < array_position($10::text[], $9::text))
        ELSE m.phases_completed END,
    awaiting_approval_phase = CASE
        WHEN $2 = 'awaiting_approval' THEN $4::text
        WHEN $2 IN ('approved', 'rejected', 'rolled_back', 'cancelled', 'flow_completed', 'failed') THEN NULL
        ELSE m.awaiting_approval_phase END,
    transition_seq = greatest(m.transition_seq, $6),
    progress_percentage = coalesce($7, m.progress_percentage),
    flow_persistence_data = m.flow_persistence_data || $8,
    error_message = CASE WHEN $2 = 'failed' THEN $11
                         WHEN $2 = 'phase_started' THEN NULL
                         ELSE m.error_message END,
    completed_at = CASE WHEN $2 IN ('flow_completed', 'cancelled') THEN $12 ELSE m.completed_at END
WHERE m.flow_id = $1
